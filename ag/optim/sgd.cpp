// SGD's update, as torch.optim.SGD (PyTorch 1.13, torch/optim/sgd.py, _single_tensor_sgd). With
// learning rate lr, momentum mu, dampening tau and weight decay lambda, for each element:
//
//     d = g + lambda * p                       (L2 weight decay, folded into the gradient)
//     b = d                                    on the first step,
//     b = mu * b + (1 - tau) * d               afterwards        (the momentum buffer)
//     d = d + mu * b   (Nesterov)   or   d = b                  (when mu != 0)
//     p = p - lr * d
//
// Nesterov's form is Sutskever et al., "On the importance of initialization and momentum in deep
// learning" (2013), rewritten as PyTorch does so that only p (not the look-ahead point) is stored.
#include "ag/optim/sgd.h"

#include "ag/core/factory.h"
#include "ag/core/kernels/strided_loop.h"

namespace ag::optim {

void SGDOptions::validate() const {
  AG_CHECK(lr_ >= 0, "SGDOptions: invalid learning rate {} (must be >= 0)", lr_);
  AG_CHECK(momentum_ >= 0, "SGDOptions: invalid momentum {} (must be >= 0)", momentum_);
  AG_CHECK(weight_decay_ >= 0, "SGDOptions: invalid weight_decay {} (must be >= 0)", weight_decay_);
  AG_CHECK(!nesterov_ || (momentum_ > 0 && dampening_ == 0), "SGDOptions: Nesterov momentum requires a "
           "momentum > 0 and zero dampening (got momentum {}, dampening {})", momentum_, dampening_);
}

namespace {

// One SGD step over n elements in place. With kMomentum false, `momentum_buffer` is unused; the flag
// is a template parameter so that the loop has no branch and vectorizes.
template <typename T, bool kMomentum>
void sgd_update(T* param, T* momentum_buffer, const T* grad, int64_t n, const SGDOptions& o, bool first_step) {
  const T lr = static_cast<T>(o.lr()), mu = static_cast<T>(o.momentum()),
          one_minus_tau = static_cast<T>(1 - o.dampening()), lambda = static_cast<T>(o.weight_decay());
  const bool nesterov = o.nesterov();
#pragma omp parallel for if (n >= kernels::kParallelGrain)
  for (int64_t i = 0; i < n; ++i) {
    T d = lambda != 0 ? grad[i] + lambda * param[i] : grad[i];
    if constexpr (kMomentum) {
      T b = first_step ? d : momentum_buffer[i] * mu + one_minus_tau * d;
      momentum_buffer[i] = b;
      d = nesterov ? d + mu * b : b;
    }
    param[i] = param[i] + -lr * d;
  }
}

}  // namespace

SGD::SGD(std::vector<ParamGroup> param_groups, SGDOptions defaults)
    : Optimizer("SGD", std::move(param_groups), defaults.clone()) {}

SGD::SGD(std::vector<Tensor> params, SGDOptions defaults)
    : SGD(std::vector<ParamGroup>{ParamGroup(std::move(params))}, std::move(defaults)) {}

std::vector<std::string> SGD::state_names(const OptimizerOptions& options) const {
  if (static_cast<const SGDOptions&>(options).momentum() == 0) return {};
  return {"momentum_buffer"};
}

void SGD::step() {
  for_each_param_with_grad<SGDOptions, SGDParamState>([](const SGDOptions& o, Tensor& p, const Tensor& grad,
                                                         SGDParamState& param_state) {
    std::map<std::string, Tensor>& state = param_state.tensors();
    bool first_step = o.momentum() != 0 && !state.count("momentum_buffer");
    if (first_step) state["momentum_buffer"] = zeros_like(p);
    dispatch_floating(p.dtype(), "SGD.step", [&]<typename T>() {
      if (o.momentum() != 0) {
        sgd_update<T, true>(p.data_ptr<T>(), state["momentum_buffer"].data_ptr<T>(), grad.data_ptr<T>(), p.numel(), o, first_step);
      } else {
        sgd_update<T, false>(p.data_ptr<T>(), nullptr, grad.data_ptr<T>(), p.numel(), o, first_step);
      }
    });
  });
}

}  // namespace ag::optim
