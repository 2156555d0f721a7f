// Loss modules (see loss.h); each forward is its functional form with the module's options.
#include "ag/nn/loss.h"

#include "ag/nn/functional/loss.h"

namespace ag::nn {

CrossEntropyLossImpl::CrossEntropyLossImpl(const CrossEntropyLossOptions& options_)
    : Cloneable("CrossEntropyLoss"), options(options_) {
  AG_CHECK(options.label_smoothing() >= 0.0 && options.label_smoothing() <= 1.0,
           "CrossEntropyLoss: label_smoothing must be in [0, 1], got {}", options.label_smoothing());
}

Tensor CrossEntropyLossImpl::forward(const Tensor& input, const Tensor& target) {
  return functional::cross_entropy(input, target, options);
}

std::string CrossEntropyLossImpl::extra_repr() const {
  return fmt::format("ignore_index={}, label_smoothing={}, reduction={}", options.ignore_index(),
                     options.label_smoothing(), reduction_name(options.reduction()));
}

NLLLossImpl::NLLLossImpl(const NLLLossOptions& options_) : Cloneable("NLLLoss"), options(options_) {}

Tensor NLLLossImpl::forward(const Tensor& log_probs, const Tensor& target) {
  return functional::nll_loss(log_probs, target, options);
}

std::string NLLLossImpl::extra_repr() const {
  return fmt::format("ignore_index={}, reduction={}", options.ignore_index(), reduction_name(options.reduction()));
}

MSELossImpl::MSELossImpl(const MSELossOptions& options_) : Cloneable("MSELoss"), options(options_) {}

Tensor MSELossImpl::forward(const Tensor& input, const Tensor& target) {
  return functional::mse_loss(input, target, options);
}

std::string MSELossImpl::extra_repr() const {
  return fmt::format("reduction={}", reduction_name(options.reduction()));
}

}  // namespace ag::nn
