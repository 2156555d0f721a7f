// F::linear (see linear.h). Its gradients come from matmul's and add's: dx = dy W, dW = dy^T x,
// db = dy summed over the leading dims.
#include "nn/functional/linear.h"

#include "core/ops.h"

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
  Tensor y = matmul(x, weight.t());
  return bias.defined() ? y + bias : y;
}

}  // namespace ag::nn::functional
