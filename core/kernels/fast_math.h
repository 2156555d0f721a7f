// exp for the softmax-family kernels (softmax, cross-entropy, attention), written so the compiler
// can vectorize the loops that call it: libm's expf is a function call per element, which stops
// vectorization.
//
// The method (as Cephes' expf): write x = n ln2 + r with n an integer and |r| <= ln2/2, so that
// exp(x) = 2^n exp(r); exp(r) is a degree-6 polynomial (Taylor coefficients, accurate to ~1 ulp on
// that range), and 2^n is built directly in the float's exponent bits. Below -87.3 the result is 0
// (so exp(-inf) is exactly 0, as masking needs), above 88.3 it is inf (a little early: expf
// overflows at 88.72), and NaN stays NaN. Double precision uses libm.
#pragma once
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace ag::kernels {

inline float fast_exp(float x) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;  // ln 2 split for an exact n*ln2
  // Ternaries and the rounding trick below instead of fmin/fmax/floor, which block vectorization.
  const float clamped = x < -87.3f ? -87.3f : (x > 88.3f ? 88.3f : x);
  // Adding and subtracting 1.5 * 2^23 rounds to the nearest integer (the float has no bits left
  // for a fraction at that magnitude).
  constexpr float kRound = 12582912.0f;
  const float n = (clamped * kLog2e + kRound) - kRound;
  const float r = clamped - n * kLn2Hi - n * kLn2Lo;
  float p = 1.f / 720;
  p = p * r + 1.f / 120;
  p = p * r + 1.f / 24;
  p = p * r + 1.f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.f;
  p = p * r + 1.f;
  const float two_n = std::bit_cast<float>((static_cast<int32_t>(n) + 127) << 23);
  const float result = p * two_n;
  return x < -87.3f ? 0.f : (x > 88.3f ? std::numeric_limits<float>::infinity() : (x != x ? x : result));
}

inline double fast_exp(double x) { return std::exp(x); }

// erf for GELU, by Abramowitz & Stegun's formula 7.1.26 (absolute error 1.5e-7 in exact
// arithmetic, under 5e-7 evaluated in float, so GELU's relative error stays near 2e-7):
//     erf(x) = 1 - t (a1 + t (a2 + t (a3 + t (a4 + t a5)))) e^(-x^2),  t = 1 / (1 + p|x|),
// odd in x. Double precision uses libm.
inline float fast_erf(float x) {
  const float a = x < 0 ? -x : x;
  const float t = 1.f / (1.f + 0.3275911f * a);
  const float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
  const float y = 1.f - poly * fast_exp(-a * a);
  return x < 0 ? -y : y;
}

inline double fast_erf(double x) { return std::erf(x); }

}  // namespace ag::kernels
