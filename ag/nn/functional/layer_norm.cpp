// F::layer_norm: checks, then the fused kernel forward and backward (nn/kernels/layer_norm.h).
#include "ag/nn/functional/layer_norm.h"

#include <array>

#include "ag/core/autograd/function.h"
#include "ag/core/factory.h"
#include "ag/nn/kernels/layer_norm.h"

namespace ag::nn::functional {

namespace {

void check_affine(const Tensor& t, const char* what, const Tensor& x, const Shape& normalized_shape) {
  if (!t.defined()) return;
  AG_CHECK(t.sizes() == normalized_shape, "layer_norm: {} has shape {} but normalized_shape is {}", what,
           shape_str(t.sizes()), shape_str(normalized_shape));
  AG_CHECK(t.dtype() == x.dtype(), "layer_norm: {} is {} but the input is {}", what, dtype_name(t.dtype()),
           dtype_name(x.dtype()));
}

// The raw pointer of an optional (contiguous) tensor, or null.
template <typename T>
const T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}

}  // namespace

// x (rows..., n...) -> y of the same shape; mean and rstd (rows) are kept for backward.
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                  double eps) {
  AG_CHECK(x.defined(), "layer_norm: the input is undefined");
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  AG_CHECK(k >= 1 && x.dim() >= k && Shape(x.sizes().end() - k, x.sizes().end()) == normalized_shape,
           "layer_norm: input of shape {} does not end with normalized_shape {}", shape_str(x.sizes()),
           shape_str(normalized_shape));
  check_affine(weight, "weight", x, normalized_shape);
  check_affine(bias, "bias", x, normalized_shape);

  const int64_t n = numel_of(normalized_shape), rows = n ? x.numel() / n : 0;
  Tensor xc = x.contiguous(), w = weight.defined() ? weight.contiguous() : Tensor();
  Tensor b = bias.defined() ? bias.contiguous() : Tensor();
  Tensor y = empty(x.sizes(), x.dtype()), mean = empty({rows}, x.dtype()), rstd = empty({rows}, x.dtype());
  dispatch_floating(x.dtype(), "layer_norm", [&]<typename T>() {
    kernels::layer_norm_forward<T>(y.data_ptr<T>(), mean.data_ptr<T>(), rstd.data_ptr<T>(), xc.data_ptr<T>(),
                                   data_or_null<T>(w), data_or_null<T>(b), rows, n, eps);
  });
  return record("NativeLayerNormBackward", {x, weight, bias}, y,
                [sx = SavedTensor(xc), sw = SavedTensor(w), mean, rstd, rows, n, normalized_shape,
                 need = std::array<bool, 3>{x.requires_grad(), weight.defined() && weight.requires_grad(),
                                            bias.defined() && bias.requires_grad()}](const Tensor& grad) {
                  Tensor x = sx.unpack(), w = sw.unpack(), dy = grad.contiguous();
                  Tensor dx = need[0] ? zeros(x.sizes(), x.dtype()) : Tensor();
                  Tensor dw = need[1] ? zeros(normalized_shape, x.dtype()) : Tensor();
                  Tensor db = need[2] ? zeros(normalized_shape, x.dtype()) : Tensor();
                  dispatch_floating(x.dtype(), "layer_norm_backward", [&]<typename T>() {
                    auto out = [](Tensor& t) { return t.defined() ? t.data_ptr<T>() : nullptr; };
                    kernels::layer_norm_backward<T>(out(dx), out(dw), out(db), dy.data_ptr<T>(), x.data_ptr<T>(),
                                                    data_or_null<T>(w), mean.data_ptr<T>(), rstd.data_ptr<T>(),
                                                    rows, n);
                  });
                  return std::vector<Tensor>{dx, dw, db};
                });
}

}  // namespace ag::nn::functional
