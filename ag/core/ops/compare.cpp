// Selection and comparison: where, masked_fill, comparisons, logical ops, dtype conversion.
#include <cmath>

#include "ag/core/autograd/function.h"
#include "ag/core/ops/op_util.h"

namespace ag {

using detail::byte_strides_for;
using detail::check_same_dtype;

// out = condition ? a : b. The gradient goes to a where the condition holds and to b elsewhere.
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  check_same_dtype(a, b, "where");
  detail::check_defined(condition, "where");
  AG_CHECK(condition.dtype() == kBool, "where: condition must be a bool tensor, got {}",
           dtype_name(condition.dtype()));
  Shape shape = detail::broadcast_shapes(condition.sizes(),
                                         detail::broadcast_shapes(a.sizes(), b.sizes(), "where"), "where");
  Tensor out = empty(shape, a.dtype());
  dispatch_floating(a.dtype(), "where", [&]<typename T>() {
    kernels::strided_loop<4>(
        shape,
        {reinterpret_cast<char*>(out.data_ptr<T>()), reinterpret_cast<char*>(condition.data_ptr<uint8_t>()),
         reinterpret_cast<char*>(a.data_ptr<T>()), reinterpret_cast<char*>(b.data_ptr<T>())},
        {byte_strides_for(out, shape), byte_strides_for(condition, shape), byte_strides_for(a, shape),
         byte_strides_for(b, shape)},
        [](auto p, auto s, int64_t n) {
          for (int64_t i = 0; i < n; ++i) {
            bool c = *reinterpret_cast<const uint8_t*>(p[1] + i * s[1]);
            *reinterpret_cast<T*>(p[0] + i * s[0]) = *reinterpret_cast<const T*>(p[c ? 2 : 3] + i * s[c ? 2 : 3]);
          }
        });
  });
  return record({"Where", autograd::flops::none}, {a, b}, out,
                [c = condition, sa = a.sizes(), sb = b.sizes()](const Tensor& g) {
                  Tensor zero = zeros({}, g.dtype());
                  return std::vector<Tensor>{sum_to(where(c, g, zero), sa), sum_to(where(c, zero, g), sb)};
                });
}

Tensor masked_fill(const Tensor& a, const Tensor& mask, double value) {
  detail::check_defined(a, "masked_fill");
  return where(mask, scalar_tensor(value, a.dtype()), a);
}

namespace {

template <typename F>
Tensor compare(const Tensor& a, const Tensor& b, const char* op, F f) {
  check_same_dtype(a, b, op);
  Tensor out = empty(detail::broadcast_shapes(a.sizes(), b.sizes(), op), kBool);
  dispatch_all(a.dtype(), [&]<typename T>() {
    detail::map_into<uint8_t, T, T>(out, a, b, [&f](T x, T y) { return static_cast<uint8_t>(f(x, y)); });
  });
  return out;
}

void check_bool(const Tensor& t, const char* op) {
  detail::check_defined(t, op);
  AG_CHECK(t.dtype() == kBool, "{}: expects bool tensors, got {}", op, dtype_name(t.dtype()));
}

}  // namespace

Tensor eq(const Tensor& a, const Tensor& b) { return compare(a, b, "eq", [](auto x, auto y) { return x == y; }); }
Tensor ne(const Tensor& a, const Tensor& b) { return compare(a, b, "ne", [](auto x, auto y) { return x != y; }); }
Tensor lt(const Tensor& a, const Tensor& b) { return compare(a, b, "lt", [](auto x, auto y) { return x < y; }); }
Tensor le(const Tensor& a, const Tensor& b) { return compare(a, b, "le", [](auto x, auto y) { return x <= y; }); }
Tensor gt(const Tensor& a, const Tensor& b) { return compare(a, b, "gt", [](auto x, auto y) { return x > y; }); }
Tensor ge(const Tensor& a, const Tensor& b) { return compare(a, b, "ge", [](auto x, auto y) { return x >= y; }); }

Tensor logical_not(const Tensor& a) {
  check_bool(a, "logical_not");
  Tensor out = empty(a.sizes(), kBool);
  detail::map_into<uint8_t, uint8_t>(out, a, [](uint8_t x) { return static_cast<uint8_t>(!x); });
  return out;
}
Tensor logical_or(const Tensor& a, const Tensor& b) {
  check_bool(a, "logical_or");
  return compare(a, b, "logical_or", [](auto x, auto y) { return x || y; });
}
Tensor logical_and(const Tensor& a, const Tensor& b) {
  check_bool(a, "logical_and");
  return compare(a, b, "logical_and", [](auto x, auto y) { return x && y; });
}

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol) {
  Tensor close = compare(a.to(kFloat64), b.to(kFloat64), "allclose", [rtol, atol](double x, double y) {
    return std::abs(x - y) <= atol + rtol * std::abs(y) || (std::isnan(x) && std::isnan(y));
  });
  for (uint8_t c : close.to_vector<uint8_t>())
    if (!c) return false;
  return true;
}

// Conversion between any two dtypes; differentiable between the floating types.
Tensor to_dtype(const Tensor& a, Dtype dtype) {
  detail::check_defined(a, "to");
  if (a.dtype() == dtype) return a;
  Tensor out = empty(a.sizes(), dtype);
  dispatch_all(dtype, [&]<typename R>() {
    dispatch_all(a.dtype(), [&]<typename A>() {
      detail::map_into<R, A>(out, a, [](A x) { return static_cast<R>(x); });
    });
  });
  if (!is_floating(dtype) || !is_floating(a.dtype())) return out;
  return record({"ToCopy", autograd::flops::none}, {a}, out, [from = a.dtype()](const Tensor& g) {
    return std::vector<Tensor>{to_dtype(g, from)};
  });
}

}  // namespace ag
