// The global random generator: every random tensor, initialisation and dropout mask draws from it,
// so `ag::manual_seed(n)` makes a run reproducible. Its state can be saved in a checkpoint.
#pragma once
#include <cstdint>
#include <random>
#include <string>

namespace ag {

class Generator {
 public:
  explicit Generator(uint64_t seed = 5489) : engine_(seed) {}
  void seed(uint64_t seed) { engine_.seed(seed); }
  double uniform();  // [0, 1)
  double normal();   // standard normal, Box-Muller with no cached second value (state = engine only)
  uint64_t next_u64() { return engine_(); }
  std::string state() const;  // the engine's state as text
  void set_state(const std::string& state);

 private:
  std::mt19937_64 engine_;
};

Generator& default_generator();
void manual_seed(uint64_t seed);

}  // namespace ag
