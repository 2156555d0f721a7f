// Dropout, as torch.nn.Dropout: while training, zeroes each element with probability p and scales
// the survivors by 1/(1-p), so the expected value is unchanged; after eval() it is the identity.
// Masks are drawn from ag's global generator (ag::manual_seed), or from options.generator():
//     nn::Dropout drop(nn::DropoutOptions(0.1).generator(ag::Generator(7)));
#pragma once
#include <optional>

#include "ag/core/generator.h"
#include "ag/nn/module.h"

namespace ag::nn {

struct DropoutOptions {
  DropoutOptions(double p = 0.5) : p_(p) {}  // NOLINT: implicit, so Dropout(0.1) works
  AG_ARG(double, p);
  AG_ARG(std::optional<Generator>, generator);  // none: the global generator
};

class DropoutImpl : public Cloneable<DropoutImpl> {
 public:
  explicit DropoutImpl(const DropoutOptions& options = {});
  void reset() override {}  // nothing to register; a clone shares options.generator()

  // any shape -> same shape
  Tensor forward(const Tensor& x);
  std::string extra_repr() const override;

  DropoutOptions options;
};
AG_MODULE(Dropout);

}  // namespace ag::nn
