// The backward engine, top to bottom.
//
// 1. Find every node reachable from the root and put them in topological order, so that a node
//    runs only after every node that sends it gradient has run. We use an iterative depth-first
//    search (post-order, reversed): no recursion, so a 100,000-node chain cannot overflow the stack.
// 2. Walk that order with a buffer of pending gradients per node. Each node's gradient is the sum
//    of everything its consumers sent it (gradients accumulate, never assign: a tensor used twice
//    receives the sum of both paths). Apply the node, then pass each input gradient along its edge.
// 3. Unless retain_graph, free each node's saved tensors as soon as it has run.
// 4. If anyone is watching (anomaly mode, a profile, a BackwardStepHookGuard), time each node and
//    report it to them (step_hook.h); otherwise this costs one flag check per backward.
//
// Alternatives we did not pick: Marian replays a tape in reverse creation order, which is simple but
// needs a global tape; PyTorch counts each node's pending dependencies and runs nodes from a ready
// queue across threads, which is faster for wide graphs but harder to read. With one output per
// node, a reversed DFS post-order gives the same result in a few lines.
#include "ag/core/autograd/engine.h"

#include <chrono>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "ag/core/autograd/grad_mode.h"
#include "ag/core/autograd/node.h"
#include "ag/core/autograd/step_hook.h"
#include "ag/core/factory.h"
#include "ag/core/ops.h"

namespace ag::autograd {

std::vector<Node*> topological_order(Node* root) {
  std::vector<Node*> post_order;
  std::unordered_set<Node*> visited{root};
  std::vector<std::pair<Node*, size_t>> stack{{root, 0}};  // (node, next edge to visit)
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->next_edges().size()) {
      Node* child = node->next_edges()[next++].get();
      if (child && visited.insert(child).second) stack.emplace_back(child, 0);
    } else {
      post_order.push_back(node);
      stack.pop_back();
    }
  }
  return {post_order.rbegin(), post_order.rend()};
}

namespace {

// node->apply, with errors prefixed by the node's name.
std::vector<Tensor> apply(Node& node, const Tensor& grad_output) {
  try {
    return node.apply(grad_output);
  } catch (const Error& e) {
    throw Error(fmt::format("backward through {}: {}", node.name(), e.what()));
  }
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

void backward(const Tensor& root, const Tensor& grad, bool retain_graph) {
  AG_CHECK(root.defined(), "backward: the tensor is undefined");
  AG_CHECK(root.requires_grad(),
           "backward: the tensor does not require grad and has no grad_fn. Did you create the "
           "inputs with requires_grad, or compute it under NoGradGuard?");
  Tensor seed = grad;
  if (!seed.defined()) {
    AG_CHECK(root.numel() == 1,
             "backward: grad can be implicitly created only for a tensor with one element, but this "
             "one has shape {}. Pass the gradient explicitly: t.backward(grad)",
             shape_str(root.sizes()));
    seed = ones(root.sizes(), root.dtype());
  }
  AG_CHECK(seed.sizes() == root.sizes() && seed.dtype() == root.dtype(),
           "backward: gradient has shape {} and dtype {}, but the tensor has shape {} and dtype {}",
           shape_str(seed.sizes()), dtype_name(seed.dtype()), shape_str(root.sizes()),
           dtype_name(root.dtype()));

  NoGradGuard no_grad;  // the backward computation itself is not recorded
  Edge root_node = gradient_edge(root);
  std::unordered_map<Node*, Tensor> pending{{root_node.get(), seed}};
  const bool watched = watching_backward();
  int64_t step = 0;

  for (Node* node : topological_order(root_node.get())) {
    auto it = pending.find(node);
    if (it == pending.end()) continue;  // no gradient reached this node
    Tensor grad_output = node->run_pre_hooks(std::move(it->second));
    pending.erase(it);
    AG_CHECK(grad_output.sizes() == node->output_shape(),
             "backward: {} received a gradient of shape {} for an output of shape {}", node->name(),
             shape_str(grad_output.sizes()), shape_str(node->output_shape()));

    const auto start = watched ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
    std::vector<Tensor> grad_inputs = apply(*node, grad_output);
    if (watched) report_backward_step({*node, grad_output, grad_inputs, step++, seconds_since(start)});
    if (!retain_graph) node->release_saved();

    const std::vector<Edge>& edges = node->next_edges();
    for (size_t i = 0; i < edges.size() && i < grad_inputs.size(); ++i) {
      if (!edges[i] || !grad_inputs[i].defined()) continue;
      Tensor& slot = pending[edges[i].get()];
      // A second gradient for the same node is summed, in place when nothing else sees the first.
      if (!slot.defined()) slot = grad_inputs[i];
      else if (is_sole_owner(slot) && slot.dtype() == grad_inputs[i].dtype()) slot.add_(grad_inputs[i]);
      else slot = add(slot, grad_inputs[i]);
    }
  }
}

}  // namespace ag::autograd
