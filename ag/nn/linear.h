// Linear: y = x W^T + b, as torch.nn.Linear. Parameters "weight" (out_features, in_features) and
// "bias" (out_features), laid out as PyTorch's so state dicts move between the two.
#pragma once
#include "ag/nn/module.h"

namespace ag::nn {

struct LinearOptions {
  LinearOptions(int64_t in_features, int64_t out_features) : in_features_(in_features), out_features_(out_features) {}
  AG_ARG(int64_t, in_features);
  AG_ARG(int64_t, out_features);
  AG_ARG(bool, bias) = true;
};

class LinearImpl : public Cloneable<LinearImpl> {
 public:
  LinearImpl(int64_t in_features, int64_t out_features, bool bias = true)
      : LinearImpl(LinearOptions(in_features, out_features).bias(bias)) {}
  explicit LinearImpl(const LinearOptions& options);

  void reset() override;  // registers weight and bias, then reset_parameters()
  // (..., in_features) -> (..., out_features)
  Tensor forward(const Tensor& x);
  // PyTorch's default: weight kaiming_uniform_(a = sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)), and
  // bias U(-1/sqrt(in), 1/sqrt(in)), drawn from ag's generator.
  void reset_parameters();
  std::string extra_repr() const override;

  LinearOptions options;
  Tensor weight;
  Tensor bias;  // undefined when options.bias() is false
};
AG_MODULE(Linear);

}  // namespace ag::nn
