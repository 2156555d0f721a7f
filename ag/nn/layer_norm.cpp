// LayerNorm (see layer_norm.h); the math is F::layer_norm's fused kernel.
#include "ag/nn/layer_norm.h"

#include "ag/core/factory.h"
#include "ag/nn/functional/layer_norm.h"
#include "ag/nn/init.h"

namespace ag::nn {

LayerNormImpl::LayerNormImpl(const LayerNormOptions& options_) : Cloneable("LayerNorm"), options(options_) {
  const Shape& shape = options.normalized_shape();
  AG_CHECK(!shape.empty() && numel_of(shape) > 0, "LayerNorm: normalized_shape must be non-empty with positive "
           "sizes, got {}", shape_str(shape));
  reset();
}

void LayerNormImpl::reset() {
  const Shape& shape = options.normalized_shape();
  if (options.elementwise_affine()) {
    weight = register_parameter("weight", empty(shape));
    bias = register_parameter("bias", empty(shape));
  }
  reset_parameters();
}

void LayerNormImpl::reset_parameters() {
  if (!options.elementwise_affine()) return;
  init::ones_(weight);
  init::zeros_(bias);
}

Tensor LayerNormImpl::forward(const Tensor& x) {
  return functional::layer_norm(x, options.normalized_shape(), weight, bias, options.eps());
}

std::string LayerNormImpl::extra_repr() const {
  return fmt::format("{}, eps={}, elementwise_affine={}", shape_str(options.normalized_shape()), options.eps(),
                     options.elementwise_affine());
}

}  // namespace ag::nn
