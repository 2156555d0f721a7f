#include "ag/core/autograd/flops.h"

namespace ag::autograd {

namespace {

bool is_one_of(std::string_view op, std::initializer_list<std::string_view> names) {
  for (std::string_view name : names)
    if (op == name) return true;
  return false;
}

}  // namespace

int64_t forward_flops(std::string_view op, const std::vector<Tensor>& inputs, const Tensor& out) {
  if (!out.defined()) return 0;
  const int64_t elements = out.numel();
  if (op == "MmBackward") return 2 * elements * inputs.at(0).size(-1);     // (..,M,N) outputs, K terms each
  if (op == "AddmmBackward") return 2 * elements * inputs.at(1).size(-1);  // inputs: bias, (M,K), (K,N)
  if (is_one_of(op, {"ViewBackward", "TransposeBackward", "PermuteBackward", "SliceBackward", "SelectBackward",
                     "UnsqueezeBackward", "SqueezeBackward", "ExpandBackward", "CloneBackward", "CatBackward",
                     "ToCopyBackward", "IndexSelectBackward", "GatherBackward", "WhereBackward"}))
    return 0;
  if (is_one_of(op, {"SumBackward", "MaxBackward"})) return inputs.at(0).numel();
  if (is_one_of(op, {"SoftmaxBackward", "LogSoftmaxBackward", "AttentionSoftmaxBackward"})) return 5 * elements;
  if (op == "CrossEntropyBackward") return 5 * inputs.at(0).numel();
  if (op == "NativeLayerNormBackward") return 8 * elements;
  return elements;
}

}  // namespace ag::autograd
