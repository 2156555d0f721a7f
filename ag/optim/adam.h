// Adam and AdamW: adaptive moment estimation, with L2 weight decay (Adam) or decoupled weight decay
// (AdamW), and the AMSGrad variant; step for step as torch.optim.Adam / torch.optim.AdamW (PyTorch 1.13).
//
// Transformer training, as in "Attention Is All You Need":
//     Adam optimizer(model->parameters(), AdamOptions(1.0).betas({0.9, 0.98}).eps(1e-9));
//     NoamLR schedule(optimizer, /*d_model=*/512, /*warmup_steps=*/4000);
#pragma once
#include <tuple>

#include "ag/optim/optimizer.h"

namespace ag::optim {

using Betas = std::tuple<double, double>;  // (beta1, beta2)

#define AG_ADAM_FIELDS(FIELD)                      \
  FIELD(double, lr, 1e-3)                          \
  FIELD(Betas, betas, std::make_tuple(0.9, 0.999)) \
  FIELD(double, eps, 1e-8)                         \
  FIELD(double, weight_decay, 0)                   \
  FIELD(bool, amsgrad, false)

struct AdamOptions : OptimizerCloneableOptions<AdamOptions> {
  AdamOptions(double lr = 1e-3) : lr_(lr) {}  // NOLINT: implicit, as libtorch
  AG_OPTIMIZER_FIELDS(AG_ADAM_FIELDS)
  void validate() const override;
};
#undef AG_ADAM_FIELDS

// AdamW's options are Adam's with PyTorch's AdamW default weight decay, 1e-2.
struct AdamWOptions : AdamOptions {
  AdamWOptions(double lr = 1e-3) : AdamOptions(lr) { weight_decay(1e-2); }  // NOLINT: implicit, as libtorch
};

// One parameter's Adam state, as libtorch's AdamParamState (see Optimizer::state()).
class AdamParamState : public OptimizerParamState {
 public:
  int64_t step() const { return step_count(); }                            // steps taken so far
  const Tensor& exp_avg() const { return entry("exp_avg"); }               // first moment m
  const Tensor& exp_avg_sq() const { return entry("exp_avg_sq"); }         // second moment v
  const Tensor& max_exp_avg_sq() const { return entry("max_exp_avg_sq"); } // AMSGrad's max v; undefined without
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<ParamGroup> param_groups, AdamOptions defaults = {});
  Adam(std::vector<Tensor> params, AdamOptions defaults = {});
  void step() override;

 protected:
  // AdamW is Adam with decoupled_weight_decay.
  Adam(std::string name, std::vector<ParamGroup> param_groups, AdamOptions defaults, bool decoupled_weight_decay);

 private:
  std::vector<std::string> state_names(const OptimizerOptions& options) const override;
  std::unique_ptr<OptimizerParamState> make_param_state() const override { return std::make_unique<AdamParamState>(); }
  bool decoupled_weight_decay_;
};

// Loshchilov & Hutter, "Decoupled Weight Decay Regularization" (ICLR 2019): the weights shrink by
// lr * weight_decay each step, apart from the adaptive gradient step, instead of adding
// weight_decay * p to the gradient (which Adam then rescales per element).
class AdamW : public Adam {
 public:
  AdamW(std::vector<ParamGroup> param_groups, AdamOptions defaults = AdamWOptions());
  AdamW(std::vector<Tensor> params, AdamOptions defaults = AdamWOptions());
};

// The usual Transformer split (nanoGPT's configure_optimizers): weight decay on the matrices
// (dim >= 2: Linear and Embedding weights), none on biases and norm parameters; two groups.
std::unique_ptr<AdamW> adamw_decaying_matrices(const std::vector<Tensor>& params, const AdamWOptions& options);

}  // namespace ag::optim
