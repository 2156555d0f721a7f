// LayerNorm, as torch.nn.LayerNorm: normalises over the last dims (normalized_shape), then applies
// an elementwise affine "weight" (ones) and "bias" (zeros), each of normalized_shape.
//     nn::LayerNorm norm(LayerNormOptions({512}).eps(1e-6));   // (B,T,512) -> (B,T,512)
#pragma once
#include "ag/nn/module.h"

namespace ag::nn {

struct LayerNormOptions {
  LayerNormOptions(Shape normalized_shape) : normalized_shape_(std::move(normalized_shape)) {}  // NOLINT: implicit
  AG_ARG(Shape, normalized_shape);
  AG_ARG(double, eps) = 1e-5;
  AG_ARG(bool, elementwise_affine) = true;
};

class LayerNormImpl : public Cloneable<LayerNormImpl> {
 public:
  explicit LayerNormImpl(const LayerNormOptions& options);

  // (..., *normalized_shape) -> same shape
  Tensor forward(const Tensor& x);
  void reset() override;    // registers weight and bias (with elementwise_affine), then reset_parameters()
  void reset_parameters();  // weight ones, bias zeros
  std::string extra_repr() const override;

  LayerNormOptions options;
  Tensor weight;  // undefined without elementwise_affine
  Tensor bias;
};
AG_MODULE(LayerNorm);

}  // namespace ag::nn
