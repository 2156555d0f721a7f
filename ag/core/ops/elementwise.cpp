// Elementwise arithmetic: forward and backward side by side.
//
// Every binary op broadcasts, so its backward must undo the broadcast: the gradient of an input
// that was stretched along a dim is the *sum* of the output gradient along that dim (sum_to).
#include <cmath>

#include "ag/core/autograd/function.h"
#include "ag/core/ops/op_util.h"

namespace ag {

using detail::binary_float;
using detail::unary_float;

// (a + alpha*b): d/da = 1, d/db = alpha.
Tensor add(const Tensor& a, const Tensor& b, double alpha) {
  Tensor out = alpha == 1.0 ? binary_float(a, b, "add", [](auto x, auto y) { return x + y; })
                            : binary_float(a, b, "add", [alpha](auto x, auto y) {
                                return x + static_cast<decltype(x)>(alpha) * y;
                              });
  return record("Add", {a, b}, out, [sa = a.sizes(), sb = b.sizes(), alpha](const Tensor& g) {
    return std::vector<Tensor>{sum_to(g, sa), sum_to(alpha == 1.0 ? g : mul(g, alpha), sb)};
  });
}

Tensor sub(const Tensor& a, const Tensor& b, double alpha) { return add(a, b, -alpha); }

// d(ab)/da = b, d(ab)/db = a.
Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = binary_float(a, b, "mul", [](auto x, auto y) { return x * y; });
  return record("Mul", {a, b}, out,
                [sa = SavedTensor(a), sb = SavedTensor(b)](const Tensor& g) {
                  Tensor a = sa.unpack(), b = sb.unpack();
                  return std::vector<Tensor>{sum_to(mul(g, b), a.sizes()), sum_to(mul(g, a), b.sizes())};
                });
}

// d(a/b)/da = 1/b, d(a/b)/db = -a/b^2 = -out/b.
Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = binary_float(a, b, "div", [](auto x, auto y) { return x / y; });
  return record("Div", {a, b}, out,
                [sa = SavedTensor(a), sb = SavedTensor(b), so = SavedTensor(out)](const Tensor& g) {
                  Tensor a = sa.unpack(), b = sb.unpack(), out = so.unpack();
                  Tensor grad_a = sum_to(div(g, b), a.sizes());
                  Tensor grad_b = sum_to(binary_float(mul(g, out), b, "div_backward",
                                                      [](auto go, auto y) { return -go / y; }),
                                         b.sizes());
                  return std::vector<Tensor>{grad_a, grad_b};
                });
}

Tensor add(const Tensor& a, double b) {
  Tensor out = unary_float(a, "add", [b](auto x) { return x + static_cast<decltype(x)>(b); });
  return record("Add", {a}, out, [](const Tensor& g) { return std::vector<Tensor>{g}; });
}

Tensor mul(const Tensor& a, double b) {
  Tensor out = unary_float(a, "mul", [b](auto x) { return x * static_cast<decltype(x)>(b); });
  return record("Mul", {a}, out, [b](const Tensor& g) { return std::vector<Tensor>{mul(g, b)}; });
}

// a / b for a number a: d/db = -a / b^2.
Tensor operator/(double a, const Tensor& b) {
  Tensor out = unary_float(b, "div", [a](auto y) { return static_cast<decltype(y)>(a) / y; });
  return record("Div", {b}, out, [sb = SavedTensor(b), a](const Tensor& g) {
    return std::vector<Tensor>{binary_float(g, sb.unpack(), "div_backward", [a](auto go, auto y) {
      return -go * static_cast<decltype(y)>(a) / (y * y);
    })};
  });
}

Tensor neg(const Tensor& a) {
  Tensor out = unary_float(a, "neg", [](auto x) { return -x; });
  return record("Neg", {a}, out, [](const Tensor& g) { return std::vector<Tensor>{neg(g)}; });
}

// d(x^e)/dx = e x^(e-1).
Tensor pow(const Tensor& a, double e) {
  Tensor out = unary_float(a, "pow", [e](auto x) { return std::pow(x, static_cast<decltype(x)>(e)); });
  return record("Pow", {a}, out, [sa = SavedTensor(a), e](const Tensor& g) {
    return std::vector<Tensor>{binary_float(g, sa.unpack(), "pow_backward", [e](auto go, auto x) {
      using T = decltype(x);
      return e == 0 ? T(0) : go * static_cast<T>(e) * std::pow(x, static_cast<T>(e - 1));
    })};
  });
}

// d(a^b)/da = b a^(b-1); d(a^b)/db = a^b log(a).
Tensor pow(const Tensor& a, const Tensor& b) {
  Tensor out = binary_float(a, b, "pow", [](auto x, auto y) { return std::pow(x, y); });
  return record("Pow", {a, b}, out,
                [sa = SavedTensor(a), sb = SavedTensor(b), so = SavedTensor(out)](const Tensor& g) {
                  Tensor a = sa.unpack(), b = sb.unpack(), out = so.unpack();
                  Tensor da = mul(g, mul(b, pow(a, sub(b, ones_like(b)))));
                  Tensor db = mul(g, mul(out, log(a)));
                  return std::vector<Tensor>{sum_to(da, a.sizes()), sum_to(db, b.sizes())};
                });
}

// d(e^x)/dx = e^x, the output itself.
Tensor exp(const Tensor& a) {
  Tensor out = unary_float(a, "exp", [](auto x) { return std::exp(x); });
  return record("Exp", {a}, out, [so = SavedTensor(out)](const Tensor& g) {
    return std::vector<Tensor>{mul(g, so.unpack())};
  });
}

// d(log x)/dx = 1/x.
Tensor log(const Tensor& a) {
  Tensor out = unary_float(a, "log", [](auto x) { return std::log(x); });
  return record("Log", {a}, out, [sa = SavedTensor(a)](const Tensor& g) {
    return std::vector<Tensor>{div(g, sa.unpack())};
  });
}

// d(sqrt x)/dx = 1 / (2 sqrt x).
Tensor sqrt(const Tensor& a) {
  Tensor out = unary_float(a, "sqrt", [](auto x) { return std::sqrt(x); });
  return record("Sqrt", {a}, out, [so = SavedTensor(out)](const Tensor& g) {
    return std::vector<Tensor>{binary_float(g, so.unpack(), "sqrt_backward",
                                            [](auto go, auto y) { return go / (2 * y); })};
  });
}

// y = x^(-1/2): dy/dx = -1/2 x^(-3/2) = -y^3 / 2.
Tensor rsqrt(const Tensor& a) {
  Tensor out = unary_float(a, "rsqrt", [](auto x) { return 1 / std::sqrt(x); });
  return record("Rsqrt", {a}, out, [so = SavedTensor(out)](const Tensor& g) {
    return std::vector<Tensor>{binary_float(g, so.unpack(), "rsqrt_backward",
                                            [](auto go, auto y) { return go * y * y * y / -2; })};
  });
}

// d|x|/dx = sign(x) (0 at 0, as PyTorch).
Tensor abs(const Tensor& a) {
  Tensor out = unary_float(a, "abs", [](auto x) { return std::abs(x); });
  return record("Abs", {a}, out, [sa = SavedTensor(a)](const Tensor& g) {
    return std::vector<Tensor>{binary_float(g, sa.unpack(), "abs_backward", [](auto go, auto x) {
      return x > 0 ? go : (x < 0 ? -go : decltype(x)(0));
    })};
  });
}

}  // namespace ag
