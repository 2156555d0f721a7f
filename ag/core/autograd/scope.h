// Scopes: where in the program an op ran, e.g. "decoder.layers.2.multihead_attn".
//
// A scope is a name pushed for the duration of a block. nn::Module pushes its dotted path while its
// forward runs (nn/module.h), and while node metadata is recorded (autograd/metadata.h) every node
// remembers the innermost scope it was made in. That is how anomaly mode names the module an op ran
// in, and how a Profile sums time and FLOPs per module. Your own code can add scopes too:
//     { ag::autograd::ScopeGuard scope("loss"); loss = cross_entropy(logits, targets); }
// Scopes are per thread, like grad mode.
#pragma once
#include <string>

namespace ag::autograd {

// The innermost scope's name, or "" outside every scope.
const std::string& current_scope();

class ScopeGuard {
 public:
  explicit ScopeGuard(std::string name);
  ~ScopeGuard();
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;
};

}  // namespace ag::autograd
