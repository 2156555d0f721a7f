// The autograd tour: watch reverse-mode differentiation work, step by step (see README.md).
#pragma once
#include <ostream>
#include <string>

namespace tour {

struct TourOptions {
  std::string out_dir = ".";  // where the graphs go: expression.dot, mlp.dot (and .svg with Graphviz)
  bool svg = true;            // run Graphviz's `dot` when it is installed
};

// Prints the tour to `out`. Returns true when every gradient passed ag::gradcheck.
bool run_tour(std::ostream& out, const TourOptions& options = {});

}  // namespace tour
