#include "ag/core/autograd/function.h"

#include "ag/core/autograd/anomaly.h"

namespace ag {

bool needs_grad(const std::vector<Tensor>& inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

Tensor record(const OpInfo& op, const std::vector<Tensor>& inputs, Tensor out,
              FunctionNode::BackwardFn backward) {
  // Debugging aids, off by default: one flag check each (autograd/metadata.h, autograd/anomaly.h).
  std::unique_ptr<autograd::NodeMetadata> metadata;
  if (autograd::metadata_enabled()) metadata = autograd::take_metadata(op, inputs, out);
  if (AnomalyMode::is_enabled()) autograd::check_forward(op, inputs, out);
  if (!needs_grad(inputs)) return out;
  std::vector<Edge> edges;
  edges.reserve(inputs.size());
  for (const Tensor& input : inputs) edges.push_back(gradient_edge(input));
  out.impl()->grad_fn =
      std::make_shared<FunctionNode>(op.node_name(), std::move(edges), out.sizes(), out.dtype(), std::move(backward));
  out.impl()->grad_fn->set_metadata(std::move(metadata));
  out.impl()->requires_grad = true;
  return out;
}

}  // namespace ag
