// FLOPs: how much arithmetic an op's forward does, for the backward profile (autograd/profile.h).
//
// Each op states its count where it records its node, beside its name:
//     record({"Mm", flops::matmul}, {a, b}, out, backward)
// so the profile never looks an op up by name, and renaming an op cannot change its count.
//
// Matmul is counted exactly: (..,M,K) x (..,K,N) is 2·M·N·K per gemm (one multiply and one add for
// each of the K terms of each of the M·N dot products). addmm, the gemm that starts from a bias, is
// counted the same, as PyTorch's profiler does, so a Linear layer's forward is 2·B·in·out.
// Everything else is an estimate per element, good enough to see where the arithmetic goes:
//   flops::none            views, copies, indexing, where (they move data; their cost is memory)
//   flops::per_output<1>   elementwise ops (add, mul, exp, relu..): the default
//   flops::per_input<1>    sum, max: one per element read
//   flops::per_output<5>   softmax, log_softmax, attention softmax (max, subtract, exp, sum, scale)
//   flops::per_input<5>    cross_entropy, per logit (the same, fused with the loss)
//   flops::per_output<8>   layer_norm (mean, variance, normalise, affine)
#pragma once
#include <cstdint>
#include <vector>

#include "ag/core/tensor.h"

namespace ag::autograd {

// The FLOPs of one forward call, from its inputs and its (defined) output.
using FlopCount = int64_t (*)(const std::vector<Tensor>& inputs, const Tensor& out);

namespace flops {

inline int64_t none(const std::vector<Tensor>&, const Tensor&) { return 0; }

template <int64_t N>
int64_t per_output(const std::vector<Tensor>&, const Tensor& out) {
  return N * out.numel();
}

template <int64_t N>
int64_t per_input(const std::vector<Tensor>& inputs, const Tensor&) {
  return N * inputs.at(0).numel();
}

int64_t matmul(const std::vector<Tensor>& inputs, const Tensor& out);  // inputs: (..,M,K), (..,K,N)
int64_t addmm(const std::vector<Tensor>& inputs, const Tensor& out);   // inputs: bias, (M,K), (K,N)

}  // namespace flops
}  // namespace ag::autograd
