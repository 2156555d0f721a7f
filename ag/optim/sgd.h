// SGD: stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay,
// step for step as torch.optim.SGD (PyTorch 1.13).
#pragma once
#include "ag/optim/optimizer.h"

namespace ag::optim {

// lr has no default (libtorch's SGDOptions has none either): the constructor takes it.
#define AG_SGD_FIELDS(FIELD)      \
  FIELD(double, lr, 0)            \
  FIELD(double, momentum, 0)      \
  FIELD(double, dampening, 0)     \
  FIELD(double, weight_decay, 0)  \
  FIELD(bool, nesterov, false)

struct SGDOptions : OptimizerCloneableOptions<SGDOptions> {
  SGDOptions(double lr) : lr_(lr) {}  // NOLINT: implicit, so `SGD(params, 0.1)` works as in libtorch
  AG_OPTIMIZER_FIELDS(AG_SGD_FIELDS)
  void validate() const override;
};
#undef AG_SGD_FIELDS

// One parameter's SGD state, as libtorch's SGDParamState (see Optimizer::state()); without
// momentum it holds nothing and momentum_buffer() is undefined.
class SGDParamState : public OptimizerParamState {
 public:
  const Tensor& momentum_buffer() const { return entry("momentum_buffer"); }
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<ParamGroup> param_groups, SGDOptions defaults);
  SGD(std::vector<Tensor> params, SGDOptions defaults);
  void step() override;

 private:
  std::vector<std::string> state_names(const OptimizerOptions& options) const override;
  std::unique_ptr<OptimizerParamState> make_param_state() const override { return std::make_unique<SGDParamState>(); }
};

}  // namespace ag::optim
