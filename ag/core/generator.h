// Random generators. Every random tensor, initialisation and dropout mask draws from the global
// generator unless it is given one of its own, so `ag::manual_seed(n)` makes a run reproducible.
// A generator's state can be saved in a checkpoint.
//
// A Generator is a handle, as libtorch's at::Generator: copies share one engine, so a generator
// passed by value to ag::randn or stored in DropoutOptions advances the caller's generator too.
// `ag::Generator gen(seed)` is ag's spelling of at::make_generator<at::CPUGeneratorImpl>(seed):
//     ag::Generator gen(42);
//     Tensor noise = ag::randn({3, 4}, gen);                  // from gen, the global one untouched
//     nn::init::xavier_uniform_(w, 1.0, gen);
// Code that draws from the global generator itself (a layer's constructor, say) is pointed at a
// generator of yours with a GeneratorGuard, so building a model does not shift the random numbers
// of everything after it:
//     { ag::GeneratorGuard use(gen); model = Model(...); }
#pragma once
#include <cstdint>
#include <memory>
#include <random>
#include <string>

namespace ag {

class Generator {
 public:
  explicit Generator(uint64_t seed = 5489) : engine_(std::make_shared<std::mt19937_64>(seed)) {}
  void seed(uint64_t seed) { engine_->seed(seed); }
  double uniform();  // [0, 1)
  double normal();   // standard normal, Box-Muller with no cached second value (state = engine only)
  uint64_t next_u64() { return (*engine_)(); }
  std::string state() const;  // the engine's state as text
  void set_state(const std::string& state);
  // An independent generator starting from this one's current state (copying the handle shares it).
  Generator clone() const;
  bool is_same(const Generator& other) const { return engine_ == other.engine_; }

 private:
  friend class GeneratorGuard;
  std::shared_ptr<std::mt19937_64> engine_;
};

Generator& default_generator();
void manual_seed(uint64_t seed);

// While alive, the global generator is `generator`: whatever draws from default_generator()
// (factories, init, dropout, layer constructors) advances `generator` instead, and the global
// generator's own state is left as it was. Guards nest.
class GeneratorGuard {
 public:
  explicit GeneratorGuard(const Generator& generator);
  ~GeneratorGuard();
  GeneratorGuard(const GeneratorGuard&) = delete;
  GeneratorGuard& operator=(const GeneratorGuard&) = delete;

 private:
  std::shared_ptr<std::mt19937_64> saved_;
};

}  // namespace ag
