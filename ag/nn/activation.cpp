// ReLU, Tanh, Sigmoid and GELU modules (see activation.h); the math and derivatives are in core/ops/activation.cpp.
#include "ag/nn/activation.h"

#include "ag/core/ops.h"

namespace ag::nn {

Tensor ReLUImpl::forward(const Tensor& x) { return relu(x); }
Tensor TanhImpl::forward(const Tensor& x) { return tanh(x); }
Tensor SigmoidImpl::forward(const Tensor& x) { return sigmoid(x); }

GELUImpl::GELUImpl(const GELUOptions& options_) : Cloneable("GELU"), options(options_) {
  check_gelu_approximate(options.approximate());
}

Tensor GELUImpl::forward(const Tensor& x) { return gelu(x, options.approximate()); }

std::string GELUImpl::extra_repr() const { return fmt::format("approximate='{}'", options.approximate()); }

}  // namespace ag::nn
