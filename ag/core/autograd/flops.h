// FLOPs: how much arithmetic an op's forward does, for the backward profile.
//
// Matmul is counted exactly: (..,M,K) x (..,K,N) is 2·M·N·K per gemm (one multiply and one add for
// each of the K terms of each of the M·N dot products). addmm, the gemm that starts from a bias, is
// counted the same, as PyTorch's profiler does, so a Linear layer's forward is 2·B·in·out.
// Everything else is an estimate per element, good enough to see where the arithmetic goes:
//   views, copies, indexing, where           0 (they move data; their cost is memory, not FLOPs)
//   elementwise ops (add, mul, exp, relu..)  1 per output element
//   sum, max                                 1 per input element
//   softmax, log_softmax, attention softmax  5 per element (max, subtract, exp, sum, scale)
//   cross_entropy                            5 per logit (the same, fused with the loss)
//   layer_norm                               8 per element (mean, variance, normalise, affine)
// Ops are named by their node ("MmBackward"), as record() knows them.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "ag/core/tensor.h"

namespace ag::autograd {

int64_t forward_flops(std::string_view op, const std::vector<Tensor>& inputs, const Tensor& out);

}  // namespace ag::autograd
