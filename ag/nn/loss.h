// Loss modules, as torch.nn.CrossEntropyLoss, NLLLoss and MSELoss: a loss with its options fixed
// once, called like any layer. The math is the functional form's (nn/functional/loss.h):
//     nn::CrossEntropyLoss criterion(nn::CrossEntropyLossOptions().ignore_index(pad).label_smoothing(0.1));
//     Tensor loss = criterion(logits.reshape({-1, V}), targets.reshape({-1}));   // (N,C), (N) -> ()
#pragma once
#include "ag/nn/module.h"
#include "ag/nn/options/loss.h"

namespace ag::nn {

class CrossEntropyLossImpl : public Cloneable<CrossEntropyLossImpl> {
 public:
  explicit CrossEntropyLossImpl(const CrossEntropyLossOptions& options = {});
  void reset() override {}
  // logits (N,C) or (N,C,d1,...) and int64 targets (N) or (N,d1,...) -> () (or the target's shape for kNone)
  Tensor forward(const Tensor& input, const Tensor& target);
  std::string extra_repr() const override;

  CrossEntropyLossOptions options;
};
AG_MODULE(CrossEntropyLoss);

class NLLLossImpl : public Cloneable<NLLLossImpl> {
 public:
  explicit NLLLossImpl(const NLLLossOptions& options = {});
  void reset() override {}
  // log-probabilities (N,C) or (N,C,d1,...) and int64 targets (N) or (N,d1,...) -> ()
  Tensor forward(const Tensor& log_probs, const Tensor& target);
  std::string extra_repr() const override;

  NLLLossOptions options;
};
AG_MODULE(NLLLoss);

class MSELossImpl : public Cloneable<MSELossImpl> {
 public:
  explicit MSELossImpl(const MSELossOptions& options = {});
  void reset() override {}
  // input and target of the same shape -> () (or that shape for kNone)
  Tensor forward(const Tensor& input, const Tensor& target);
  std::string extra_repr() const override;

  MSELossOptions options;
};
AG_MODULE(MSELoss);

}  // namespace ag::nn
