// Activations and clamping: forward and backward side by side.
#include <cmath>
#include <numbers>

#include "ag/core/autograd/function.h"
#include "ag/core/kernels/fast_math.h"
#include "ag/core/ops/op_util.h"

namespace ag {

using detail::binary_float;
using detail::unary_float;

// d(tanh x)/dx = 1 - tanh(x)^2, from the output.
Tensor tanh(const Tensor& a) {
  Tensor out = unary_float(a, "tanh", [](auto x) { return std::tanh(x); });
  return record("Tanh", {a}, out, [so = SavedTensor(out)](const Tensor& g) {
    return std::vector<Tensor>{
        binary_float(g, so.unpack(), "tanh_backward", [](auto go, auto y) { return go * (1 - y * y); })};
  });
}

// d(sigmoid x)/dx = s (1 - s), from the output.
Tensor sigmoid(const Tensor& a) {
  Tensor out = unary_float(a, "sigmoid", [](auto x) { return 1 / (1 + std::exp(-x)); });
  return record("Sigmoid", {a}, out, [so = SavedTensor(out)](const Tensor& g) {
    return std::vector<Tensor>{
        binary_float(g, so.unpack(), "sigmoid_backward", [](auto go, auto y) { return go * y * (1 - y); })};
  });
}

// d(max(x,0))/dx = 1 where x > 0, else 0 (0 at 0, as PyTorch). The output tells us where x > 0.
Tensor relu(const Tensor& a) {
  Tensor out = unary_float(a, "relu", [](auto x) { return x > 0 ? x : decltype(x)(0); });
  return record("Relu", {a}, out, [so = SavedTensor(out)](const Tensor& g) {
    return std::vector<Tensor>{binary_float(g, so.unpack(), "relu_backward", [](auto go, auto y) {
      return y > 0 ? go : decltype(y)(0);
    })};
  });
}

// GELU (Hendrycks & Gimpel 2016).
//   erf form:  y = x Phi(x),                       dy/dx = Phi(x) + x phi(x)
//   tanh form: y = x/2 (1 + tanh u), u = c (x + k x^3), c = sqrt(2/pi), k = 0.044715,
//              dy/dx = (1 + tanh u)/2 + x/2 (1 - tanh^2 u) c (1 + 3 k x^2)
//                    = s + 2 x s (1 - s) c (1 + 3 k x^2)   with s = (1 + tanh u)/2 = sigmoid(2u)
namespace {
constexpr double c = 0.7978845608028654;  // sqrt(2/pi)
constexpr double k = 0.044715;
}  // namespace

void check_gelu_approximate(const std::string& approximate) {
  AG_CHECK(approximate == "none" || approximate == "tanh",
           "gelu: approximate must be \"none\" or \"tanh\", got \"{}\"", approximate);
}

Tensor gelu(const Tensor& a, const std::string& approximate) {
  check_gelu_approximate(approximate);
  // Each form is its own branch-free loop, so the compiler can vectorize it. The tanh form uses
  // (1 + tanh u) / 2 = sigmoid(2u) = s, and 1 - tanh^2 u = 4 s (1 - s): one vectorizable exp and
  // no cancellation where tanh u is close to -1.
  auto half_one_plus_tanh = [](auto x) {
    using T = decltype(x);
    return 1 / (1 + kernels::fast_exp(-2 * T(c) * (x + T(k) * x * x * x)));
  };
  auto cdf = [](auto x) {
    using T = decltype(x);
    return T(0.5) * (1 + kernels::fast_erf(x * T(std::numbers::sqrt2 / 2)));
  };
  const bool use_tanh = approximate == "tanh";
  Tensor out = use_tanh ? unary_float(a, "gelu", [&](auto x) { return x * half_one_plus_tanh(x); })
                        : unary_float(a, "gelu", [&](auto x) { return x * cdf(x); });
  return record("Gelu", {a}, out, [sa = SavedTensor(a), use_tanh, half_one_plus_tanh](const Tensor& g) {
    if (use_tanh) {
      return std::vector<Tensor>{binary_float(g, sa.unpack(), "gelu_backward", [&](auto go, auto x) {
        using T = decltype(x);
        const T s = half_one_plus_tanh(x);
        return go * (s + 2 * x * s * (1 - s) * T(c) * (1 + 3 * T(k) * x * x));
      })};
    }
    // One exp serves both Phi and phi: with z = x / sqrt 2, e^(-z^2) is the factor inside erf(z) and
    // phi(x) = e^(-z^2) / sqrt(2 pi).
    return std::vector<Tensor>{binary_float(g, sa.unpack(), "gelu_backward", [](auto go, auto x) {
      using T = decltype(x);
      const T z = x * T(std::numbers::sqrt2 / 2), e = kernels::fast_exp(-z * z);
      const T cdf_x = T(0.5) * (1 + kernels::fast_erf(z, e));
      const T pdf_x = e * T(0.5 * std::numbers::inv_sqrtpi * std::numbers::sqrt2);
      return go * (cdf_x + x * pdf_x);
    })};
  });
}

// Gradient passes where min <= x <= max (inclusive, as PyTorch), else 0.
Tensor clamp(const Tensor& a, std::optional<double> min, std::optional<double> max) {
  AG_CHECK(min || max, "clamp: give at least one of min and max");
  const double lo = min.value_or(-INFINITY), hi = max.value_or(INFINITY);
  Tensor out = unary_float(a, "clamp", [lo, hi](auto x) {
    using T = decltype(x);
    return std::min(std::max(x, T(lo)), T(hi));
  });
  return record("Clamp", {a}, out, [sa = SavedTensor(a), lo, hi](const Tensor& g) {
    return std::vector<Tensor>{binary_float(g, sa.unpack(), "clamp_backward", [lo, hi](auto go, auto x) {
      using T = decltype(x);
      return x >= T(lo) && x <= T(hi) ? go : T(0);
    })};
  });
}

}  // namespace ag
