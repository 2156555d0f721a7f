// Node metadata: what a node remembers about the forward op that made it, for anomaly mode, the
// backward profile and the autograd tour. (PyTorch's anomaly mode keeps the forward's stack trace
// in each node the same way.)
//
// Recording costs a few small allocations per op, so it happens only while someone asks for it:
// anomaly mode (autograd/anomaly.h), a Profile (autograd/profile.h) or a MetadataGuard. Otherwise
// record() checks one flag and every node's metadata() is null.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ag/core/autograd/op_info.h"
#include "ag/core/tensor.h"

namespace ag::autograd {

struct NodeMetadata {
  std::string scope;                               // the module path the op ran in (autograd/scope.h)
  std::vector<std::optional<Shape>> input_shapes;  // the forward op's inputs (nullopt: undefined)
  std::vector<Shape> saved_shapes;                 // the SavedTensors its backward keeps alive
  int64_t saved_bytes = 0;                         // and the memory they hold
  int64_t flops = 0;                               // the forward op's arithmetic (autograd/flops.h)
};

// True while metadata is being recorded on this thread.
bool metadata_enabled();

// Records metadata for every node made on this thread while it lives.
class MetadataGuard {
 public:
  MetadataGuard();
  ~MetadataGuard();
  MetadataGuard(const MetadataGuard&) = delete;
  MetadataGuard& operator=(const MetadataGuard&) = delete;
};

// Called by SavedTensor while metadata is recorded: the next node made on this thread keeps `t`.
// (The lambda that holds the saved tensors is built before record() runs, so they are noted first.)
void note_saved(const Tensor& t);

// The metadata of the node `op` is recording now: the current scope, the shapes, FLOPs, and the
// tensors noted since the previous record(). Clears those notes, so record() calls it for every op
// while metadata is on, even one that makes no node.
std::unique_ptr<NodeMetadata> take_metadata(const OpInfo& op, const std::vector<Tensor>& inputs,
                                            const Tensor& out);

}  // namespace ag::autograd
