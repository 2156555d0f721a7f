// record(): how an op joins the autograd graph.
//
// An op computes its output with plain kernels, then calls
//     return record("Mul", {a, b}, out, [sa = SavedTensor(a), ...](const Tensor& grad) {
//       return std::vector<Tensor>{grad_a, grad_b};  // one per input, same order
//     });
// ("Mul" is the op's OpInfo, autograd/op_info.h: its name and how the profile counts its FLOPs.)
// If grad mode is on and any input requires grad, this attaches a FunctionNode ("MulBackward") to
// `out`, whose next edges lead to the inputs; otherwise it returns `out` untouched and the lambda is dropped.
// Every op passes through here, so this is also where anomaly mode checks each output for NaN and
// where node metadata (module path, shapes, FLOPs) is taken when someone records it.
#pragma once
#include <initializer_list>

#include "ag/core/autograd/grad_mode.h"
#include "ag/core/autograd/node.h"
#include "ag/core/autograd/op_info.h"
#include "ag/core/autograd/saved_tensor.h"

namespace ag {

// True if recording is on and some input requires grad: ops can skip preparing backward otherwise.
bool needs_grad(const std::vector<Tensor>& inputs);

Tensor record(const OpInfo& op, const std::vector<Tensor>& inputs, Tensor out,
              FunctionNode::BackwardFn backward);

}  // namespace ag
