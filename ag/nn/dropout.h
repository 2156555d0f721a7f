// Dropout, as torch.nn.Dropout: while training, zeroes each element with probability p and scales
// the survivors by 1/(1-p), so the expected value is unchanged; after eval() it is the identity.
// Masks are drawn from ag's global generator (ag::manual_seed).
#pragma once
#include "ag/nn/module.h"

namespace ag::nn {

struct DropoutOptions {
  DropoutOptions(double p = 0.5) : p_(p) {}  // NOLINT: implicit, so Dropout(0.1) works
  AG_ARG(double, p);
};

class DropoutImpl : public Module {
 public:
  explicit DropoutImpl(const DropoutOptions& options = {});

  // any shape -> same shape
  Tensor forward(const Tensor& x);
  std::string extra_repr() const override;

  DropoutOptions options;
};
AG_MODULE(Dropout);

}  // namespace ag::nn
