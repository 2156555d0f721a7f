// The vectorizable exp used by the softmax-family kernels agrees with libm to ~2 ulp and handles
// the edges masking relies on.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "ag/core/kernels/fast_math.h"

using ag::kernels::fast_erf;
using ag::kernels::fast_exp;

TEST_CASE("fast_exp matches std::exp within 3e-7 relative over float's whole range", "[fast_math]") {
  double worst = 0;
  for (float x = -87.0f; x < 88.0f; x += 0.0007f)
    worst = std::max(worst, std::abs(fast_exp(x) - std::exp(double(x))) / std::exp(double(x)));
  CHECK(worst < 3e-7);
}

TEST_CASE("fast_exp gives exactly 0 for -inf, inf past 88.3, and keeps NaN", "[fast_math]") {
  const float inf = std::numeric_limits<float>::infinity();
  CHECK(fast_exp(-inf) == 0.0f);
  CHECK(fast_exp(-100.0f) == 0.0f);
  CHECK(fast_exp(0.0f) == 1.0f);
  CHECK(std::isinf(fast_exp(100.0f)));
  CHECK(std::isinf(fast_exp(inf)));
  CHECK(std::isnan(fast_exp(std::nanf(""))));
  CHECK(fast_exp(1.0) == std::exp(1.0));  // double uses libm
}

TEST_CASE("fast_erf is within 5.5e-7 of std::erf and odd", "[fast_math]") {
  // The bound holds for both ways the compiler may evaluate the polynomial: with fused
  // multiply-adds (4.6e-7, what -O2 and up give on x86-64-v3) and without (5.3e-7: -O1, as the
  // sanitizer build compiles, or a machine without FMA).
  double worst = 0;
  for (float x = -6.0f; x < 6.0f; x += 0.0003f) worst = std::max(worst, std::abs(fast_erf(x) - std::erf(double(x))));
  CHECK(worst < 5.5e-7);
  CHECK(fast_erf(-0.5f) == -fast_erf(0.5f));
  CHECK(fast_erf(0.0f) == 0.0f);
  CHECK(fast_erf(0.5) == std::erf(0.5));
}
