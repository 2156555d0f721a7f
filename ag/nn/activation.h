// Activation modules, as torch.nn.ReLU and torch.nn.GELU: parameter-free wrappers around the core
// ops, so activations can sit in a Sequential and show in the module printout.
#pragma once
#include <string>

#include "ag/nn/module.h"

namespace ag::nn {

class ReLUImpl : public Module {
 public:
  ReLUImpl() : Module("ReLU") {}
  Tensor forward(const Tensor& x);  // max(x, 0), any shape
};
AG_MODULE(ReLU);

struct GELUOptions {
  // "none": x Phi(x) with the exact erf; "tanh": the tanh approximation (as in GPT-2).
  AG_ARG(std::string, approximate) = "none";
};

class GELUImpl : public Module {
 public:
  explicit GELUImpl(const GELUOptions& options = {});
  Tensor forward(const Tensor& x);  // any shape
  std::string extra_repr() const override;

  GELUOptions options;
};
AG_MODULE(GELU);

}  // namespace ag::nn
