#include "ag/core/generator.h"

#include <cmath>
#include <numbers>
#include <sstream>

#include "ag/core/error.h"

namespace ag {

// 53 random bits scaled into [0, 1): every double in the range is equally likely to be hit.
double Generator::uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

double Generator::normal() {
  double u1 = 1.0 - uniform();  // (0, 1], so log(u1) is finite
  double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::string Generator::state() const {
  std::ostringstream out;
  out << engine_;
  return out.str();
}

void Generator::set_state(const std::string& state) {
  std::istringstream in(state);
  std::mt19937_64 restored;
  in >> restored;
  AG_CHECK(!in.fail(), "Generator::set_state: the saved generator state is corrupt");
  engine_ = restored;
}

Generator& default_generator() {
  static Generator generator;
  return generator;
}

void manual_seed(uint64_t seed) { default_generator().seed(seed); }

}  // namespace ag
