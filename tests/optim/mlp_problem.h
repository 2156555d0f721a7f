// The small problem the optim tests train, mirroring tests/reference/make_optim_fixtures.py: a
// 2-layer MLP with tanh, loss = mean((tanh(x @ w1 + b1) @ w2 + b2 - y)^2), whose parameters form two
// groups, the weights {w1, w2} and the biases {b1, b2}.
#pragma once
#include <functional>
#include <vector>

#include "ag/ag.h"
#include "fixture.h"
#include "ag/optim/optim.h"

namespace ag::test {

struct MlpProblem {
  Tensor x, y, w1, b1, w2, b2;

  // The fixture's data and starting weights, as fresh leaves.
  static MlpProblem from_fixture(const Fixture& f) {
    auto leaf = [&](const char* name) { return f.at(name).clone().requires_grad_(true); };
    return {f.at("x"), f.at("y"), leaf("w1"), leaf("b1"), leaf("w2"), leaf("b2")};
  }
  // Seeded random data and weights of the fixture's shapes.
  static MlpProblem random(Dtype dtype, uint64_t seed) {
    manual_seed(seed);
    auto leaf = [&](Shape shape, double scale) { return (randn(shape, dtype) * scale).requires_grad_(true); };
    Tensor x = randn({8, 4}, dtype), y = randn({8, 3}, dtype);
    return {x, y, leaf({4, 6}, 0.5), leaf({6}, 0.1), leaf({6, 3}, 0.5), leaf({3}, 0.1)};
  }

  std::vector<Tensor> weights() const { return {w1, w2}; }
  std::vector<Tensor> biases() const { return {b1, b2}; }
  std::vector<Tensor> parameters() const { return {w1, b1, w2, b2}; }  // the fixture's order
  Tensor loss() const { return pow(matmul(tanh(matmul(x, w1) + b1), w2) + b2 - y, 2).mean(); }

  // `steps` of the PyTorch loop; clip_norm > 0 clips the gradients' 2-norm before each step.
  void train(optim::Optimizer& optimizer, optim::LRScheduler* schedule, int steps, double clip_norm = 0) const {
    for (int i = 0; i < steps; ++i) {
      optimizer.zero_grad();
      loss().backward();
      if (clip_norm > 0) optim::clip_grad_norm_(parameters(), clip_norm);
      optimizer.step();
      if (schedule) schedule->step();
    }
  }
};

}  // namespace ag::test
