// Dropout (see dropout.h); the mask and its backward are core's ag::dropout.
#include "ag/nn/dropout.h"

#include "ag/core/ops.h"

namespace ag::nn {

DropoutImpl::DropoutImpl(const DropoutOptions& options_) : Cloneable("Dropout"), options(options_) {
  AG_CHECK(options.p() >= 0.0 && options.p() <= 1.0, "Dropout: probability p must be in [0, 1], got {}", options.p());
}

Tensor DropoutImpl::forward(const Tensor& x) { return dropout(x, options.p(), is_training(), options.generator()); }

std::string DropoutImpl::extra_repr() const { return fmt::format("p={}", options.p()); }

}  // namespace ag::nn
