// F::layer_norm, as torch.nn.functional.layer_norm (Ba, Kiros & Hinton 2016): each row of the last
// dims is normalised to zero mean and unit (biased) variance, then scaled and shifted.
#pragma once
#include "ag/core/tensor.h"

namespace ag::nn::functional {

// x (..., *normalized_shape) -> same shape. weight and bias have normalized_shape, or are
// undefined (no affine). A fused kernel with its own backward (layer_norm.cpp); checked
// against the composed (x - mean) / sqrt(var + eps) * w + b in tests/nn/test_layers.cpp.
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);

}  // namespace ag::nn::functional
