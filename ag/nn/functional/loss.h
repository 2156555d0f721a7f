// Losses, as torch.nn.functional: cross_entropy (fused), nll_loss and mse_loss.
//
// Class-index losses take logits or log-probabilities shaped as PyTorch's:
//   input (N,C) with target (N), input (N,C,d1,...) with target (N,d1,...), or input (C) with
//   target (). For a language model's (B,T,V) logits, flatten: cross_entropy(logits.reshape({-1, V}),
//   targets.reshape({-1})).
// Targets are int64 class indices in [0, C), or ignore_index for positions that do not count.
// reduction is "mean" (over the targets that are not ignored, as PyTorch: all ignored gives NaN),
// "sum", or "none" (one loss per target, in the target's shape; ignored positions give 0).
//
// Each loss comes in two spellings: libtorch's, with an options struct (nn/options/loss.h),
//     F::cross_entropy(logits, target, F::CrossEntropyFuncOptions().ignore_index(0).reduction(ag::kSum));
// and a positional one, cross_entropy(logits, target, /*ignore_index=*/0, /*label_smoothing=*/0.1, "sum").
#pragma once
#include <cstdint>
#include <string>

#include "ag/core/tensor.h"
#include "ag/nn/options/loss.h"

namespace ag::nn::functional {

// Fused log_softmax + NLL with optional label smoothing: the target distribution puts
// 1 - label_smoothing on the target class and spreads label_smoothing evenly over all C classes.
Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& options);
Tensor cross_entropy(const Tensor& input, const Tensor& target, int64_t ignore_index = -100,
                     double label_smoothing = 0.0, const std::string& reduction = "mean");

// -log_probs[target], from log-probabilities (e.g. log_softmax's output).
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, const NLLLossFuncOptions& options);
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, int64_t ignore_index = -100,
                const std::string& reduction = "mean");

// (a - b)^2, elementwise; a and b must have the same shape.
Tensor mse_loss(const Tensor& a, const Tensor& b, const MSELossFuncOptions& options);
Tensor mse_loss(const Tensor& a, const Tensor& b, const std::string& reduction = "mean");

}  // namespace ag::nn::functional
