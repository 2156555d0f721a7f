#include "ag/core/dot.h"

#include <unordered_map>

#include "ag/core/autograd/node.h"

namespace ag {

std::string to_dot(const Tensor& root) {
  AG_CHECK(root.defined(), "to_dot: the tensor is undefined");
  std::string out = "digraph autograd {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\"];\n";
  out += fmt::format("  root [label=\"output {}\", style=filled, fillcolor=\"#c8e6c9\"];\n", shape_str(root.sizes()));
  if (!root.grad_fn()) return out + "}\n";

  std::unordered_map<const Node*, int> ids;
  std::vector<const Node*> stack{root.grad_fn().get()};
  ids[stack.back()] = 0;
  out += "  root -> n0;\n";
  while (!stack.empty()) {
    const Node* node = stack.back();
    stack.pop_back();
    const int id = ids[node];
    const bool leaf = dynamic_cast<const AccumulateGrad*>(node) != nullptr;
    out += fmt::format("  n{} [label=\"{}\\n{}\"{}];\n", id, leaf ? "leaf" : node->name(),
                       shape_str(node->output_shape()), leaf ? ", style=filled, fillcolor=\"#bbdefb\"" : "");
    for (const Edge& next : node->next_edges()) {
      if (!next) continue;
      auto [it, inserted] = ids.emplace(next.get(), static_cast<int>(ids.size()));
      if (inserted) stack.push_back(next.get());
      out += fmt::format("  n{} -> n{};\n", id, it->second);
    }
  }
  return out + "}\n";
}

}  // namespace ag
