// Generators (see generator.h): a shared mt19937_64 engine, its state as text, the global one.
#include "ag/core/generator.h"

#include <cmath>
#include <numbers>
#include <sstream>

#include "ag/core/error.h"

namespace ag {

// 53 random bits scaled into [0, 1): every double in the range is equally likely to be hit.
double Generator::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Generator::normal() {
  double u1 = 1.0 - uniform();  // (0, 1], so log(u1) is finite
  double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::string Generator::state() const {
  std::ostringstream out;
  out << *engine_;
  return out.str();
}

void Generator::set_state(const std::string& state) {
  std::istringstream in(state);
  std::mt19937_64 restored;
  in >> restored;
  AG_CHECK(!in.fail(), "Generator::set_state: the saved generator state is corrupt");
  *engine_ = restored;
}

Generator Generator::clone() const {
  Generator copy;
  *copy.engine_ = *engine_;
  return copy;
}

Generator& default_generator() {
  static Generator generator;
  return generator;
}

void manual_seed(uint64_t seed) { default_generator().seed(seed); }

// The global handle is pointed at the guard's engine and back; handles copied from it meanwhile
// keep the engine they were copied with.
GeneratorGuard::GeneratorGuard(const Generator& generator) : saved_(default_generator().engine_) {
  default_generator().engine_ = generator.engine_;
}

GeneratorGuard::~GeneratorGuard() { default_generator().engine_ = std::move(saved_); }

}  // namespace ag
