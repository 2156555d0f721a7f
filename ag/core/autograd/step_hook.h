// Watching backward one node at a time.
//
// The engine (engine.cpp) runs the graph's nodes in order. While someone is watching, it times each
// node's apply() and reports the step: which node ran, the gradient that flowed into it, and the
// gradients that flowed out of it, one per next edge. Three things watch:
//   - anomaly mode checks every gradient for NaN and Inf (autograd/anomaly.h);
//   - a Profile records each node's time (autograd/profile.h);
//   - your own hook, e.g. the autograd tour printing each step:
//         ag::autograd::BackwardStepHookGuard watch([](const ag::autograd::BackwardStep& step) {
//           fmt::print("{} took {:.3f} ms\n", step.node.name(), step.seconds * 1e3);
//         });
//         loss.backward();
// PyTorch hangs hooks on single nodes (Node::register_hook); one hook for every node is what a
// teacher or a profiler wants. Hooks are per thread, like grad mode, and run in registration order.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "ag/core/tensor.h"

namespace ag::autograd {

struct BackwardStep {
  const Node& node;
  const Tensor& grad_output;               // d(root)/d(node's output), after the node's pre-hooks
  const std::vector<Tensor>& grad_inputs;  // what apply() sent along each next edge (undefined: none)
  int64_t index;                           // 0 for the first node the engine ran, then 1, 2, ...
  double seconds;                          // how long apply() took
};

using BackwardStepHook = std::function<void(const BackwardStep&)>;

// Calls `hook` after every node that backward runs on this thread while the guard lives.
class BackwardStepHookGuard {
 public:
  explicit BackwardStepHookGuard(BackwardStepHook hook);
  ~BackwardStepHookGuard();
  BackwardStepHookGuard(const BackwardStepHookGuard&) = delete;
  BackwardStepHookGuard& operator=(const BackwardStepHookGuard&) = delete;

 private:
  uint64_t id_;
};

// For the engine: is anyone watching (a hook, or anomaly mode)? And: tell them about a step.
bool watching_backward();
void report_backward_step(const BackwardStep& step);

}  // namespace ag::autograd
