// to_dot: the graph that produced a tensor, as Graphviz DOT text, for teaching and debugging.
//     std::ofstream("graph.dot") << ag::to_dot(loss);   then: dot -Tsvg graph.dot -o graph.svg
// Each backward node shows its name and output shape; leaves show their shape. Edges point the way
// gradient flows, from the loss towards the leaves.
#pragma once
#include <string>

#include "ag/core/tensor.h"

namespace ag {

std::string to_dot(const Tensor& root);

}  // namespace ag
