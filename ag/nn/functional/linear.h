// F::linear, as torch.nn.functional.linear: y = x W^T + b.
#pragma once
#include "ag/core/tensor.h"

namespace ag::nn::functional {

// x (..., in) x weight (out, in)^T + bias (out) -> (..., out). bias may be undefined (no bias).
// W^T is a transposed view that matmul hands to BLAS as a transpose flag: no copy is made.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

}  // namespace ag::nn::functional
