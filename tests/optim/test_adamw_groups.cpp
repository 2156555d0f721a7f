// adamw_decaying_matrices: weight decay on matrices only, the rest in a group without it.
#include <catch2/catch.hpp>

#include "ag/ag.h"

using namespace ag;

TEST_CASE("adamw_decaying_matrices decays matrices and leaves biases and norms alone", "[optim]") {
  Tensor w = ones({3, 2}, requires_grad()), b = ones({3}, requires_grad());
  optim::AdamWOptions options(0.1);
  options.weight_decay(0.5);
  auto opt = optim::adamw_decaying_matrices({w, b}, options);
  REQUIRE(opt->param_groups().size() == 2);
  w.mutable_grad() = zeros({3, 2});
  b.mutable_grad() = zeros({3});
  opt->step();  // zero gradients: only decay moves a parameter, by lr * wd
  CHECK(w.to_vector<float>()[0] == Approx(1.0 - 0.1 * 0.5));
  CHECK(b.to_vector<float>()[0] == Approx(1.0));
}
