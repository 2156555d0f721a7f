// In-place ops: they write into an existing tensor (or view) and bump its storage's version counter.
//
// They are not recorded by autograd. Writing in place into a tensor that requires grad while grad
// mode is on would silently break its graph, so it is an error: parameter updates belong inside a
// NoGradGuard, as optimizers do.
#include "ag/core/autograd/grad_mode.h"
#include "ag/core/generator.h"
#include "ag/core/ops/op_util.h"

namespace ag {

namespace detail {

void copy_into(Tensor& dst, const Tensor& src) {
  check_defined(src, "copy_");
  AG_CHECK(broadcast_shapes(dst.sizes(), src.sizes(), "copy_") == dst.sizes(),
           "copy_: source of shape {} cannot be broadcast to destination of shape {}", shape_str(src.sizes()),
           shape_str(dst.sizes()));
  dispatch_all(dst.dtype(), [&]<typename R>() {
    dispatch_all(src.dtype(), [&]<typename A>() { map_into<R, A>(dst, src, [](A x) { return static_cast<R>(x); }); });
  });
}

}  // namespace detail

namespace {

void check_inplace(const Tensor& self, const char* op, const Tensor& other = Tensor()) {
  detail::check_defined(self, op);
  if (!GradMode::is_enabled()) return;
  AG_CHECK(!self.requires_grad(), "{}: in-place operation on a tensor that requires grad. Do it inside "
           "an ag::NoGradGuard (as for parameter updates), or use the out-of-place op", op);
  AG_CHECK(!other.defined() || !other.requires_grad(), "{}: in-place operation with an operand that "
           "requires grad would not be recorded; use the out-of-place op", op);
}

}  // namespace

Tensor& Tensor::copy_(const Tensor& src) {
  check_inplace(*this, "copy_", src);
  detail::copy_into(*this, src);
  impl_->storage->bump_version();
  return *this;
}

Tensor& Tensor::fill_(double value) {
  check_inplace(*this, "fill_");
  dispatch_all(dtype(), [&]<typename T>() {
    detail::map_into<T, T>(*this, *this, [v = static_cast<T>(value)](T) { return v; });
  });
  impl_->storage->bump_version();
  return *this;
}

Tensor& Tensor::zero_() { return fill_(0.0); }

Tensor& Tensor::add_(const Tensor& other, double alpha) {
  check_inplace(*this, "add_", other);
  detail::check_same_dtype(*this, other, "add_");
  AG_CHECK(detail::broadcast_shapes(sizes(), other.sizes(), "add_") == sizes(),
           "add_: operand of shape {} cannot be broadcast to shape {}", shape_str(other.sizes()), shape_str(sizes()));
  dispatch_floating(dtype(), "add_", [&]<typename T>() {
    detail::map_into<T, T, T>(*this, *this, other, [a = static_cast<T>(alpha)](T x, T y) { return x + a * y; });
  });
  impl_->storage->bump_version();
  return *this;
}

Tensor& Tensor::mul_(double value) {
  check_inplace(*this, "mul_");
  dispatch_floating(dtype(), "mul_", [&]<typename T>() {
    detail::map_into<T, T>(*this, *this, [v = static_cast<T>(value)](T x) { return x * v; });
  });
  impl_->storage->bump_version();
  return *this;
}

Tensor& Tensor::mul_(const Tensor& other) {
  check_inplace(*this, "mul_", other);
  detail::check_same_dtype(*this, other, "mul_");
  AG_CHECK(detail::broadcast_shapes(sizes(), other.sizes(), "mul_") == sizes(),
           "mul_: operand of shape {} cannot be broadcast to shape {}", shape_str(other.sizes()), shape_str(sizes()));
  dispatch_floating(dtype(), "mul_", [&]<typename T>() {
    detail::map_into<T, T, T>(*this, *this, other, [](T x, T y) { return x * y; });
  });
  impl_->storage->bump_version();
  return *this;
}

Tensor& Tensor::masked_fill_(const Tensor& mask, double value) {
  check_inplace(*this, "masked_fill_");
  AG_CHECK(mask.defined() && mask.dtype() == kBool, "masked_fill_: mask must be a bool tensor");
  AG_CHECK(detail::broadcast_shapes(sizes(), mask.sizes(), "masked_fill_") == sizes(),
           "masked_fill_: mask of shape {} cannot be broadcast to shape {}", shape_str(mask.sizes()),
           shape_str(sizes()));
  dispatch_floating(dtype(), "masked_fill_", [&]<typename T>() {
    detail::map_into<T, T, uint8_t>(*this, *this, mask,
                                    [v = static_cast<T>(value)](T x, uint8_t m) { return m ? v : x; });
  });
  impl_->storage->bump_version();
  return *this;
}

// Random fills draw in row-major order on one thread, so a seed always gives the same numbers.
Tensor& Tensor::uniform_(double from, double to) {
  check_inplace(*this, "uniform_");
  return copy_(add(mul(rand(sizes(), dtype()), to - from), from));
}

Tensor& Tensor::normal_(double mean, double std) {
  check_inplace(*this, "normal_");
  return copy_(add(mul(randn(sizes(), dtype()), std), mean));
}

}  // namespace ag
