// Profile: where the time, arithmetic and memory of one training step go.
//
//     ag::autograd::Profile profile;   // from here on, ops record their module path and FLOPs
//     Tensor loss = F::cross_entropy(model(src), targets);
//     loss.backward();                 // and backward times every node
//     profile.stop();
//     std::cout << profile.table();    // per module, then the slowest nodes
//     std::ofstream("profile.json") << profile.json();
//
// For every node backward ran, the profile keeps
//   - its backward time (the node's apply(), measured by the engine: see autograd/step_hook.h),
//   - the FLOPs of the forward op that made it (exact for matmul: 2·M·N·K; see autograd/flops.h),
//   - the bytes its saved tensors hold: the activations kept alive from forward until this node ran,
//   - the module path it ran in (autograd/scope.h).
// Sums per module include the module's submodules, so "decoder.layers.2" adds up its attention,
// feed-forward and norms, and the row "(all)" is the whole step.
//
// Saved bytes count each SavedTensor of each node: two nodes saving one activation both count it,
// as both would keep it alive. A few fused ops keep small per-row statistics outside SavedTensor
// (layer_norm's mean and rstd, cross_entropy's log-sum-exp); those are not counted.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ag/core/autograd/metadata.h"
#include "ag/core/autograd/step_hook.h"
#include "ag/core/tensor.h"

namespace ag::autograd {

struct NodeProfile {
  int64_t step = 0;          // engine order within its backward
  std::string name;          // "MmBackward"
  std::string module;        // "decoder.layers.2.multihead_attn", "" at the top level
  Shape shape;               // the forward op's output shape
  double seconds = 0;        // backward time
  int64_t flops = 0;         // forward FLOPs
  int64_t saved_bytes = 0;
  uint64_t sequence_nr = 0;  // creation order in forward
};

struct ModuleProfile {
  std::string path;  // "" is everything
  int64_t nodes = 0;
  double seconds = 0;
  int64_t flops = 0;
  int64_t saved_bytes = 0;
};

class Profile {
 public:
  Profile();  // starts recording on this thread
  Profile(const Profile&) = delete;
  Profile& operator=(const Profile&) = delete;

  void stop();  // later ops and backward passes are not recorded
  const std::vector<NodeProfile>& nodes() const { return nodes_; }
  // One row per module path that ran an op, and per ancestor of one, each summing its subtree;
  // in forward order, parents before children. The first row, path "", is the whole step.
  std::vector<ModuleProfile> modules() const;
  // The module rows, then the `slowest` slowest nodes.
  std::string table(size_t slowest = 20) const;
  // {"nodes": [...], "modules": [...]} with every field above.
  std::string json() const;

 private:
  std::optional<MetadataGuard> metadata_;
  std::optional<BackwardStepHookGuard> hook_;
  std::vector<NodeProfile> nodes_;
};

}  // namespace ag::autograd
