// Helpers shared by the op families (internal to core/ops): broadcasting and typed elementwise maps.
//
//   unary_float(x, "exp", [](auto v) { return std::exp(v); })        -> new tensor, x's shape
//   binary_float(a, b, "mul", [](auto x, auto y) { return x * y; })   -> new tensor, broadcast shape
//
// The lambdas are generic, so one body serves float and double.
#pragma once
#include <array>

#include "ag/core/factory.h"
#include "ag/core/kernels/strided_loop.h"
#include "ag/core/ops.h"

namespace ag::detail {

// The broadcast of two shapes, or an error naming the op and both shapes.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// t's strides in bytes, aligned to `shape` (which t broadcasts to), 0 along stretched dims.
std::vector<int64_t> byte_strides_for(const Tensor& t, const Shape& shape);

void check_same_dtype(const Tensor& a, const Tensor& b, const char* op);

// Row kernels (softmax, max) work along the last dim. move_dim_to_end permutes `dim` to the end,
// keeping the other dims in order, and makes the result contiguous: (a, n, b) -> (a, b, n).
// move_end_to_dim is its inverse, a view: (a, b, n) -> (a, n, b).
Tensor move_dim_to_end(const Tensor& t, int64_t dim);
Tensor move_end_to_dim(const Tensor& t, int64_t dim);
void check_defined(const Tensor& t, const char* op);

template <typename R, typename A, typename F>
void map_into(Tensor& out, const Tensor& a, F f) {
  kernels::strided_loop<2>(out.sizes(), {reinterpret_cast<char*>(out.data_ptr<R>()),
                                         reinterpret_cast<char*>(a.data_ptr<A>())},
                           {byte_strides_for(out, out.sizes()), byte_strides_for(a, out.sizes())},
                           [&](auto p, auto s, int64_t n) { kernels::map_row<R, A>(p, s, n, f); });
}

template <typename R, typename A, typename B, typename F>
void map_into(Tensor& out, const Tensor& a, const Tensor& b, F f) {
  kernels::strided_loop<3>(
      out.sizes(),
      {reinterpret_cast<char*>(out.data_ptr<R>()), reinterpret_cast<char*>(a.data_ptr<A>()),
       reinterpret_cast<char*>(b.data_ptr<B>())},
      {byte_strides_for(out, out.sizes()), byte_strides_for(a, out.sizes()), byte_strides_for(b, out.sizes())},
      [&](auto p, auto s, int64_t n) { kernels::map_row<R, A, B>(p, s, n, f); });
}

// dst[...] = src[...] (src broadcast to dst, converting dtype); no checks for autograd, no version bump.
void copy_into(Tensor& dst, const Tensor& src);

template <typename F>
Tensor unary_float(const Tensor& a, const char* op, F f) {
  check_defined(a, op);
  Tensor out = empty(a.sizes(), a.dtype());
  dispatch_floating(a.dtype(), op, [&]<typename T>() { map_into<T, T>(out, a, f); });
  return out;
}

template <typename F>
Tensor binary_float(const Tensor& a, const Tensor& b, const char* op, F f) {
  check_same_dtype(a, b, op);
  Tensor out = empty(broadcast_shapes(a.sizes(), b.sizes(), op), a.dtype());
  dispatch_floating(a.dtype(), op, [&]<typename T>() { map_into<T, T, T>(out, a, b, f); });
  return out;
}

}  // namespace ag::detail
