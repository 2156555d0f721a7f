// The Adam/AdamW update, as PyTorch 1.13's _single_tensor_adam (torch/optim/adam.py) and
// _single_tensor_adamw (torch/optim/adamw.py). After t steps, with gradient g, betas (b1, b2),
// learning rate lr and weight decay lambda, for each element:
//
//     g = g + lambda * p                         (Adam: L2 weight decay, folded into the gradient)
//     p = p * (1 - lr * lambda)                  (AdamW: decoupled weight decay, instead)
//     m = b1 * m + (1 - b1) * g                  (first moment: running mean of g)
//     v = b2 * v + (1 - b2) * g * g              (second moment: running mean of g^2)
//     v_max = max(v_max, v); use v_max as v      (AMSGrad only)
//     p = p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
//
// The factors 1 - b^t correct the bias of m and v towards their zero start (Kingma & Ba, "Adam: A
// Method for Stochastic Optimization", 2015, section 3); AMSGrad is Reddi et al., "On the
// Convergence of Adam and Beyond" (ICLR 2018). The order of operations is PyTorch's, so float64
// results agree with torch.optim to rounding.
#include "ag/optim/adam.h"

#include <algorithm>
#include <cmath>

#include "ag/core/factory.h"
#include "ag/core/kernels/strided_loop.h"

namespace ag::optim {

void AdamOptions::validate() const {
  auto [beta1, beta2] = betas_;
  AG_CHECK(lr_ >= 0, "AdamOptions: invalid learning rate {} (must be >= 0)", lr_);
  AG_CHECK(eps_ >= 0, "AdamOptions: invalid eps {} (must be >= 0)", eps_);
  AG_CHECK(beta1 >= 0 && beta1 < 1, "AdamOptions: invalid beta1 {} (betas must be in [0, 1))", beta1);
  AG_CHECK(beta2 >= 0 && beta2 < 1, "AdamOptions: invalid beta2 {} (betas must be in [0, 1))", beta2);
  AG_CHECK(weight_decay_ >= 0, "AdamOptions: invalid weight_decay {} (must be >= 0)", weight_decay_);
}

namespace {

// The constants of one step of one tensor, computed once in double.
struct AdamStep {
  double beta1, beta2, eps;
  double l2;                     // Adam's weight decay (0 for AdamW)
  double shrink;                 // AdamW's 1 - lr * weight_decay (1 for Adam)
  double step_size;              // lr / (1 - b1^t)
  double bias_correction2_sqrt;  // sqrt(1 - b2^t)
};

// One Adam(W) step over n elements in place; `max_exp_avg_sq` is used only with AMSGrad, a
// compile-time flag so that the loop has no branch and vectorizes.
template <typename T, bool kAmsgrad>
void adam_update(T* param, T* exp_avg, T* exp_avg_sq, T* max_exp_avg_sq, const T* grad, int64_t n,
                 const AdamStep& c) {
  const T beta1 = static_cast<T>(c.beta1), one_minus_beta1 = static_cast<T>(1 - c.beta1);
  const T beta2 = static_cast<T>(c.beta2), one_minus_beta2 = static_cast<T>(1 - c.beta2);
  const T eps = static_cast<T>(c.eps), l2 = static_cast<T>(c.l2), shrink = static_cast<T>(c.shrink);
  const T neg_step_size = static_cast<T>(-c.step_size), bc2_sqrt = static_cast<T>(c.bias_correction2_sqrt);
#pragma omp parallel for if (n >= kernels::kParallelGrain)
  for (int64_t i = 0; i < n; ++i) {
    T g = l2 != 0 ? grad[i] + l2 * param[i] : grad[i];
    T p = param[i] * shrink;
    T m = exp_avg[i] * beta1 + one_minus_beta1 * g;
    T v = exp_avg_sq[i] * beta2 + one_minus_beta2 * g * g;
    exp_avg[i] = m;
    exp_avg_sq[i] = v;
    if constexpr (kAmsgrad) v = max_exp_avg_sq[i] = std::max(max_exp_avg_sq[i], v);
    T denom = std::sqrt(v) / bc2_sqrt + eps;
    param[i] = p + neg_step_size * m / denom;
  }
}

}  // namespace

Adam::Adam(std::string name, std::vector<ParamGroup> param_groups, AdamOptions defaults, bool decoupled_weight_decay)
    : Optimizer(std::move(name), std::move(param_groups), defaults.clone()),
      decoupled_weight_decay_(decoupled_weight_decay) {}

Adam::Adam(std::vector<ParamGroup> param_groups, AdamOptions defaults)
    : Adam("Adam", std::move(param_groups), std::move(defaults), false) {}

Adam::Adam(std::vector<Tensor> params, AdamOptions defaults)
    : Adam(std::vector<ParamGroup>{ParamGroup(std::move(params))}, std::move(defaults)) {}

AdamW::AdamW(std::vector<ParamGroup> param_groups, AdamOptions defaults)
    : Adam("AdamW", std::move(param_groups), std::move(defaults), true) {}

AdamW::AdamW(std::vector<Tensor> params, AdamOptions defaults)
    : AdamW(std::vector<ParamGroup>{ParamGroup(std::move(params))}, std::move(defaults)) {}

std::vector<std::string> Adam::state_names(const OptimizerOptions& options) const {
  std::vector<std::string> names{"step", "exp_avg", "exp_avg_sq"};
  if (static_cast<const AdamOptions&>(options).amsgrad()) names.push_back("max_exp_avg_sq");
  return names;
}

void Adam::step() {
  for_each_param_with_grad<AdamOptions, AdamParamState>([this](const AdamOptions& o, Tensor& p, const Tensor& grad,
                                                                AdamParamState& param_state) {
    std::map<std::string, Tensor>& state = param_state.tensors();
    if (!state.count("step")) {
      state["step"] = state_value(int64_t{0});
      state["exp_avg"] = zeros_like(p);
      state["exp_avg_sq"] = zeros_like(p);
    }
    if (o.amsgrad() && !state.count("max_exp_avg_sq")) state["max_exp_avg_sq"] = zeros_like(p);
    auto t = static_cast<double>(++state["step"].data_ptr<int64_t>()[0]);

    auto [beta1, beta2] = o.betas();
    AdamStep c{beta1, beta2, o.eps(), 0.0, 1.0, o.lr() / (1 - std::pow(beta1, t)), std::sqrt(1 - std::pow(beta2, t))};
    if (decoupled_weight_decay_) {
      c.shrink = 1 - o.lr() * o.weight_decay();
    } else {
      c.l2 = o.weight_decay();
    }
    dispatch_floating(p.dtype(), "Adam.step", [&]<typename T>() {
      T *param = p.data_ptr<T>(), *exp_avg = state["exp_avg"].data_ptr<T>(), *exp_avg_sq = state["exp_avg_sq"].data_ptr<T>();
      if (o.amsgrad()) {
        adam_update<T, true>(param, exp_avg, exp_avg_sq, state["max_exp_avg_sq"].data_ptr<T>(), grad.data_ptr<T>(), p.numel(), c);
      } else {
        adam_update<T, false>(param, exp_avg, exp_avg_sq, nullptr, grad.data_ptr<T>(), p.numel(), c);
      }
    });
  });
}

std::unique_ptr<AdamW> adamw_decaying_matrices(const std::vector<Tensor>& params, const AdamWOptions& options) {
  std::vector<Tensor> decay, no_decay;
  for (const Tensor& p : params) (p.dim() >= 2 ? decay : no_decay).push_back(p);
  AdamWOptions no_decay_options = options;
  no_decay_options.weight_decay(0.0);
  std::vector<ParamGroup> groups;
  groups.emplace_back(decay, options);
  groups.emplace_back(no_decay, no_decay_options);
  return std::make_unique<AdamW>(std::move(groups), options);
}

}  // namespace ag::optim
