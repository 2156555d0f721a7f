// F::linear (see linear.h). Its gradients come from matmul's and add's: dx = dy W, dW = dy^T x,
// db = dy summed over the leading dims.
#include "ag/nn/functional/linear.h"

#include "ag/core/ops.h"

namespace ag::nn::functional {

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  AG_CHECK(x.defined() && weight.defined(), "linear: the input and the weight must be defined");
  AG_CHECK(weight.dim() == 2, "linear: weight must be 2-D (out_features, in_features), got {}",
           shape_str(weight.sizes()));
  AG_CHECK(x.dim() >= 1 && x.size(-1) == weight.size(1),
           "linear: input {} has {} features in its last dim but weight {} expects in_features = {}",
           shape_str(x.sizes()), x.dim() ? x.size(-1) : 0, shape_str(weight.sizes()), weight.size(1));
  AG_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == weight.size(0)),
           "linear: bias must have shape ({}) to match weight {}, got {}", weight.size(0),
           shape_str(weight.sizes()), shape_str(bias.sizes()));
  if (!bias.defined()) return matmul(x, weight.t());
  // Fold the leading dims into rows so the bias rides along in one gemm (addmm): (..,in) -> (rows,in).
  Shape out_shape = x.sizes();
  out_shape.back() = weight.size(0);
  return addmm(bias, x.dim() == 2 ? x : x.reshape({-1, x.size(-1)}), weight.t()).reshape(out_shape);
}

}  // namespace ag::nn::functional
