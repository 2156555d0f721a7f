#include "core/autograd/function.h"

namespace ag {

bool needs_grad(const std::vector<Tensor>& inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

Tensor record(const char* name, const std::vector<Tensor>& inputs, Tensor out,
              FunctionNode::BackwardFn backward) {
  if (!needs_grad(inputs)) return out;
  std::vector<Edge> edges;
  edges.reserve(inputs.size());
  for (const Tensor& input : inputs) edges.push_back(gradient_edge(input));
  out.impl()->grad_fn =
      std::make_shared<FunctionNode>(name, std::move(edges), out.sizes(), out.dtype(), std::move(backward));
  out.impl()->requires_grad = true;
  return out;
}

}  // namespace ag
