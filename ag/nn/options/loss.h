// The options of the losses, as libtorch's torch/nn/options/loss.h: one struct per loss, shared by
// the module (nn::CrossEntropyLoss) and the functional form (F::cross_entropy), e.g.
//     nn::CrossEntropyLoss loss(nn::CrossEntropyLossOptions().ignore_index(0).label_smoothing(0.1));
//     F::cross_entropy(logits, target, F::CrossEntropyFuncOptions().reduction(ag::kSum));
#pragma once
#include <cstdint>
#include <string>

#include "ag/core/arg.h"

namespace ag {

// How a loss reduces its per-element losses, as libtorch's torch::kNone / kMean / kSum: "none"
// keeps one loss per element (the target's shape), "mean" averages them (for class-index losses,
// over the targets that are not ignored), "sum" adds them.
enum class Reduction { None, Mean, Sum };
inline constexpr Reduction kNone = Reduction::None;
inline constexpr Reduction kMean = Reduction::Mean;
inline constexpr Reduction kSum = Reduction::Sum;

// "none", "mean" or "sum" (PyTorch's strings) as a Reduction; anything else is an error naming `op`.
Reduction reduction_from_string(const std::string& reduction, const char* op);
const char* reduction_name(Reduction reduction);

}  // namespace ag

namespace ag::nn {

struct CrossEntropyLossOptions {
  AG_ARG(int64_t, ignore_index) = -100;  // targets equal to it do not count
  // The target distribution puts 1 - label_smoothing on the target class and spreads
  // label_smoothing evenly over all C classes (Szegedy et al. 2016); must be in [0, 1].
  AG_ARG(double, label_smoothing) = 0.0;
  AG_ARG(Reduction, reduction) = kMean;
};

struct NLLLossOptions {
  AG_ARG(int64_t, ignore_index) = -100;
  AG_ARG(Reduction, reduction) = kMean;
};

struct MSELossOptions {
  MSELossOptions(Reduction reduction = kMean) : reduction_(reduction) {}  // NOLINT: implicit, as libtorch
  AG_ARG(Reduction, reduction);
};

namespace functional {
// libtorch's names for the same options in the functional form.
using CrossEntropyFuncOptions = CrossEntropyLossOptions;
using NLLLossFuncOptions = NLLLossOptions;
using MSELossFuncOptions = MSELossOptions;
}  // namespace functional

}  // namespace ag::nn
