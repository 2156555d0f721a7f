// exp for the softmax-family kernels (softmax, cross-entropy, attention), written so the compiler
// can vectorize the loops that call it: libm's expf is a function call per element, which stops
// vectorization.
//
// The method (as Cephes' expf): write x = n ln2 + r with n an integer and |r| <= ln2/2, so that
// exp(x) = 2^n exp(r); exp(r) is a degree-6 polynomial (Taylor coefficients, accurate to ~1 ulp on
// that range), and 2^n is built directly in the float's exponent bits.
//
// The edges come from the clamp alone, with no selects after it (each select costs a blend per
// vector, and six of them made up half the loop): x is clamped to [-88, 89], where
//   - at -88, n = -127 puts 0 in the exponent bits, so 2^n and the result are exactly 0 (as masking
//     needs for exp(-inf));
//   - from about 88.38 on, n = 128 puts all ones in the exponent bits, so 2^n is inf and so is the
//     result (a little early: expf overflows at 88.72);
//   - NaN passes through the clamp (its comparisons are false) and makes every step NaN.
// Double precision uses libm.
#pragma once
#include <bit>
#include <cmath>
#include <cstdint>

namespace ag::kernels {

inline float fast_exp(float x) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;  // ln 2 split for an exact n*ln2
  // Ternaries in this order compile to vminps/vmaxps, which keep a NaN x (fmin/fmax would not).
  float c = x > 89.f ? 89.f : x;
  c = c < -88.f ? -88.f : c;
  // Adding 1.5 * 2^23 rounds to the nearest integer n (the float has no bits left for a fraction
  // at that magnitude), which then sits in the low bits of the sum: its bits are kRoundBits + n.
  constexpr float kRound = 12582912.0f;
  constexpr uint32_t kRoundBits = 0x4B400000;  // std::bit_cast<uint32_t>(kRound)
  const float shifted = c * kLog2e + kRound;
  const float n = shifted - kRound;
  const float r = c - n * kLn2Hi - n * kLn2Lo;
  float p = 1.f / 720;
  p = p * r + 1.f / 120;
  p = p * r + 1.f / 24;
  p = p * r + 1.f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.f;
  p = p * r + 1.f;
  // 2^n from n's bits, in unsigned arithmetic: no float-to-int conversion, which would be
  // undefined for a NaN x.
  const float two_n = std::bit_cast<float>((std::bit_cast<uint32_t>(shifted) - kRoundBits + 127) << 23);
  return p * two_n;
}

inline double fast_exp(double x) { return std::exp(x); }

// erf for GELU, by Abramowitz & Stegun's formula 7.1.26 (absolute error 1.5e-7 in exact
// arithmetic; evaluated in float, 4.6e-7 where the compiler fuses the polynomial into FMAs, as
// ag's x86-64-v3 builds do from -O2, and 5.3e-7 without them; GELU's relative error stays near 2e-7):
//     erf(x) = 1 - t (a1 + t (a2 + t (a3 + t (a4 + t a5)))) e^(-x^2),  t = 1 / (1 + p|x|),
// odd in x. The second form takes e^(-x^2) from a caller that has it already (GELU's backward
// needs it for the normal density too). Double precision uses libm.
inline float fast_erf(float x, float exp_minus_x2) {
  const float a = x < 0 ? -x : x;
  const float t = 1.f / (1.f + 0.3275911f * a);
  const float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
  const float y = 1.f - poly * exp_minus_x2;
  return x < 0 ? -y : y;
}

inline float fast_erf(float x) { return fast_erf(x, fast_exp(-x * x)); }

inline double fast_erf(double x, double) { return std::erf(x); }
inline double fast_erf(double x) { return std::erf(x); }

}  // namespace ag::kernels
