// Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_ (PyTorch 1.13). Call
// between backward() and step():
//     loss.backward();
//     double norm = clip_grad_norm_(model->parameters(), 1.0);
//     optimizer.step();
#pragma once
#include <vector>

#include "ag/core/tensor.h"

namespace ag::optim {

// Scales every gradient by min(1, max_norm / (total + 1e-6)), where total is the norm of all the
// gradients taken together as one vector (norm_type p: (sum |g|^p)^(1/p); INFINITY: max |g|).
// Returns total, the norm before clipping; parameters without a gradient are skipped, and with none
// at all the norm is 0.
//
// A non-finite total (a NaN or infinite gradient somewhere) cannot be clipped meaningfully:
//   - error_if_nonfinite: throws an ag::Error naming the first parameter whose gradient is
//     non-finite, and leaves every gradient as it was.
//   - otherwise (PyTorch's default), does what PyTorch does: a NaN total scales every gradient by NaN,
//     an infinite one by 0 (so the infinite elements become NaN). The returned norm reports it;
//     check std::isfinite(norm) and skip the step, as mixed-precision loss scalers do.
// The sums are accumulated in double, in fixed chunks, so the result does not depend on the thread count.
double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

// Clamps every gradient element into [-clip_value, clip_value] (NaN stays NaN).
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);

}  // namespace ag::optim

// libtorch's spelling, torch::nn::utils::clip_grad_norm_.
namespace ag::nn::utils {
using optim::clip_grad_norm_;
using optim::clip_grad_value_;
}  // namespace ag::nn::utils
