// OpInfo: what an op tells record() about itself, written once where the op records its node.
//
//     record("Mul", {a, b}, out, backward)                      // one FLOP per output element
//     record({"Mm", autograd::flops::matmul}, {a, b}, out, backward)
//
// `name` is the forward op as a user knows it; its backward node is called name + "Backward"
// ("MulBackward"), the grad_fn name PyTorch prints, so anomaly mode can speak of both without
// taking a string apart. `flops` is how the profile counts the forward's arithmetic
// (autograd/flops.h).
#pragma once
#include <string>

#include "ag/core/autograd/flops.h"

namespace ag {

struct OpInfo {
  // Implicit, so an op with the default count passes just its name.
  OpInfo(const char* op_name, autograd::FlopCount op_flops = autograd::flops::per_output<1>)  // NOLINT
      : name(op_name), flops(op_flops) {}

  std::string node_name() const { return std::string(name) + "Backward"; }

  const char* name;
  autograd::FlopCount flops;
};

}  // namespace ag
