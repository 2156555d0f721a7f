#include "ag/core/autograd/flops.h"

namespace ag::autograd::flops {

// Each of the (..,M,N) outputs is a dot product of K terms: K multiplies and K adds.
int64_t matmul(const std::vector<Tensor>& inputs, const Tensor& out) { return 2 * out.numel() * inputs.at(0).size(-1); }

int64_t addmm(const std::vector<Tensor>& inputs, const Tensor& out) { return 2 * out.numel() * inputs.at(1).size(-1); }

}  // namespace ag::autograd::flops
