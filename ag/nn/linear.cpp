// Linear (see linear.h); the math is F::linear.
#include "ag/nn/linear.h"

#include <cmath>

#include "ag/core/factory.h"
#include "ag/nn/functional/linear.h"
#include "ag/nn/init.h"

namespace ag::nn {

LinearImpl::LinearImpl(const LinearOptions& options_) : Cloneable("Linear"), options(options_) {
  AG_CHECK(options.in_features() > 0 && options.out_features() > 0,
           "Linear: in_features and out_features must be positive, got {} and {}", options.in_features(),
           options.out_features());
  reset();
}

void LinearImpl::reset() {
  weight = register_parameter("weight", empty({options.out_features(), options.in_features()}));
  if (options.bias()) bias = register_parameter("bias", empty({options.out_features()}));
  reset_parameters();
}

void LinearImpl::reset_parameters() {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(options.in_features()));
    init::uniform_(bias, -bound, bound);
  }
}

Tensor LinearImpl::forward(const Tensor& x) { return functional::linear(x, weight, bias); }

std::string LinearImpl::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, bias={}", options.in_features(), options.out_features(),
                     options.bias());
}

}  // namespace ag::nn
