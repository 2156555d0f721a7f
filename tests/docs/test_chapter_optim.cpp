// The snippets of docs/optim.md, run: one SGD step by hand, and the training loop that fits a line.
#include <catch2/catch.hpp>

#include "ag/ag.h"
#include "ag/nn/functional/loss.h"
#include "ag/nn/linear.h"
#include "ag/optim/optim.h"

using namespace ag;

TEST_CASE("docs/optim.md: one step by hand", "[docs]") {
  Tensor w = tensor({1.0, -2.0}, TensorOptions(kFloat64).requires_grad());
  optim::SGD sgd({w}, optim::SGDOptions(0.1));
  (w * w).sum().backward();  // grad = 2w = [2, -4]
  sgd.step();                // w - 0.1 * grad
  CHECK(w.to_vector<double>() == std::vector<double>{0.8, -1.6});
}

TEST_CASE("docs/optim.md: the training loop", "[docs]") {
  manual_seed(0);
  Tensor x = randn({64, 1});
  Tensor y = 3.0 * x - 1.0;  // the line to learn
  nn::Linear model(1, 1);
  optim::SGD optimizer(model->parameters(), optim::SGDOptions(0.1).momentum(0.9));
  optim::StepLR schedule(optimizer, /*step_size=*/50, /*gamma=*/0.5);
  for (int step = 0; step < 200; ++step) {
    optimizer.zero_grad();
    Tensor loss = nn::functional::mse_loss(model(x), y);
    loss.backward();
    optim::clip_grad_norm_(model->parameters(), 10.0);
    optimizer.step();
    schedule.step();
  }
  CHECK(model->weight.item() == Approx(3.0).epsilon(1e-3));
  CHECK(model->bias.item() == Approx(-1.0).epsilon(1e-3));
}
