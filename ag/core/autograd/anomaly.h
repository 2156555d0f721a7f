// Anomaly mode: stop at the first NaN or Inf, and say where it came from.
//
// A NaN in training usually shows up as a NaN loss many ops after it was born. With anomaly mode on,
// every op checks its output as it runs, and the engine checks every gradient, so the run stops
// with an ag::Error at the first non-finite value, naming
//   - the op (in backward: its node, e.g. SqrtBackward),
//   - the module path it ran in, e.g. "decoder.layers.2.multihead_attn",
//   - the shapes and summary statistics (min, max, mean, NaN and Inf counts) of its inputs.
// Turn it on for a scope, as libtorch's torch::autograd::DetectAnomalyGuard:
//     { ag::DetectAnomalyGuard anomaly; loss = model(x); loss.backward(); }
// or for a whole run with the environment variable AG_DETECT_ANOMALY=1.
//
// What counts as an anomaly in forward: an output with NaN, or with ±Inf when no input had one (so
// the -inf of an attention mask passing through an add is fine, but log(0) is caught). Forward is
// checked while grad mode is on (training); backward checks every gradient for NaN and Inf.
// Anomaly mode records node metadata (autograd/metadata.h) and scans every tensor, so it is slow;
// when off it costs one flag check per op and per node.
#pragma once
#include <string>
#include <vector>

#include "ag/core/autograd/op_info.h"
#include "ag/core/autograd/step_hook.h"
#include "ag/core/flag_guard.h"
#include "ag/core/tensor.h"

namespace ag {

// On for every thread while set; starts as the environment variable AG_DETECT_ANOMALY says.
struct AnomalyMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

struct DetectAnomalyGuard : FlagGuard<AnomalyMode::is_enabled, AnomalyMode::set_enabled> {
  DetectAnomalyGuard() : FlagGuard(true) {}
};

namespace autograd {

// "(2, 3) float32: min -1, max 2.5, mean 0.25, 1 NaN, 0 Inf" (min, max and mean of the finite values).
std::string summarize(const Tensor& t);

// Called by record() for each op while anomaly mode is on; throws on an anomaly.
void check_forward(const OpInfo& op, const std::vector<Tensor>& inputs, const Tensor& out);
// Called by the engine after each node while anomaly mode is on; throws on an anomaly.
void check_backward(const BackwardStep& step);

}  // namespace autograd
}  // namespace ag
