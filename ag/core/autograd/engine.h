// The backward engine: reverse-mode differentiation over the graph of Nodes.
#pragma once
#include <vector>

#include "ag/core/tensor.h"

namespace ag::autograd {

// The nodes reachable from `root`, in the order backward runs them: each after every node that
// sends it gradient. (For printing a graph the way the engine sees it.)
std::vector<Node*> topological_order(Node* root);

// Computes d(root)/d(leaf) for every leaf that requires grad, accumulating into leaf.grad().
// `grad` is d(loss)/d(root); it may be omitted only when root has one element (it is then 1).
// Unless retain_graph, the graph's saved tensors are freed, and a second backward through it throws.
void backward(const Tensor& root, const Tensor& grad = Tensor(), bool retain_graph = false);

}  // namespace ag::autograd
