#include "ag/core/autograd/metadata.h"

#include "ag/core/autograd/anomaly.h"
#include "ag/core/autograd/scope.h"

namespace ag::autograd {

namespace {
thread_local int guards = 0;
// Shapes and bytes of the tensors saved since the last node (not the tensors: noting must not keep
// them alive). Cleared by take_metadata.
thread_local std::vector<std::pair<Shape, int64_t>> noted;
}  // namespace

bool metadata_enabled() { return guards > 0 || AnomalyMode::is_enabled(); }

MetadataGuard::MetadataGuard() { ++guards; }
MetadataGuard::~MetadataGuard() { --guards; }

void note_saved(const Tensor& t) {
  if (t.defined()) noted.emplace_back(t.sizes(), t.numel() * static_cast<int64_t>(element_size(t.dtype())));
}

std::unique_ptr<NodeMetadata> take_metadata(const OpInfo& op, const std::vector<Tensor>& inputs, const Tensor& out) {
  auto metadata = std::make_unique<NodeMetadata>();
  metadata->scope = current_scope();
  for (const Tensor& input : inputs)
    metadata->input_shapes.push_back(input.defined() ? std::optional<Shape>(input.sizes()) : std::nullopt);
  for (auto& [shape, bytes] : noted) {
    metadata->saved_shapes.push_back(std::move(shape));
    metadata->saved_bytes += bytes;
  }
  noted.clear();
  metadata->flops = out.defined() ? op.flops(inputs, out) : 0;
  return metadata;
}

}  // namespace ag::autograd
