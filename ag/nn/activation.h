// Activation modules, as torch.nn.ReLU, GELU, Tanh and Sigmoid: parameter-free wrappers around the
// core ops, so activations can sit in a Sequential and show in the module printout.
#pragma once
#include <string>

#include "ag/nn/module.h"

namespace ag::nn {

class ReLUImpl : public Cloneable<ReLUImpl> {
 public:
  ReLUImpl() : Cloneable("ReLU") {}
  void reset() override {}  // nothing to register
  Tensor forward(const Tensor& x);  // max(x, 0), any shape
};
AG_MODULE(ReLU);

class TanhImpl : public Cloneable<TanhImpl> {
 public:
  TanhImpl() : Cloneable("Tanh") {}
  void reset() override {}
  Tensor forward(const Tensor& x);  // any shape
};
AG_MODULE(Tanh);

class SigmoidImpl : public Cloneable<SigmoidImpl> {
 public:
  SigmoidImpl() : Cloneable("Sigmoid") {}
  void reset() override {}
  Tensor forward(const Tensor& x);  // 1 / (1 + exp(-x)), any shape
};
AG_MODULE(Sigmoid);

struct GELUOptions {
  // "none": x Phi(x) with the exact erf; "tanh": the tanh approximation (as in GPT-2).
  AG_ARG(std::string, approximate) = "none";
};

class GELUImpl : public Cloneable<GELUImpl> {
 public:
  explicit GELUImpl(const GELUOptions& options = {});
  void reset() override {}
  Tensor forward(const Tensor& x);  // any shape
  std::string extra_repr() const override;

  GELUOptions options;
};
AG_MODULE(GELU);

}  // namespace ag::nn
