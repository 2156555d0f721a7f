// Anomaly mode: the first NaN or Inf in forward or backward stops the run with an ag::Error that
// names the op, the scope it ran in and its inputs' statistics; nothing is checked when it is off.
#include <catch2/catch.hpp>
#include <cmath>

#include "ag/ag.h"
#include "ag/core/autograd/anomaly.h"
#include "ag/core/autograd/scope.h"

using namespace ag;
using Catch::Matchers::Contains;

TEST_CASE("anomaly mode names the forward op that made a NaN, its scope and its inputs", "[anomaly]") {
  Tensor x = tensor({-1.0, 2.0, 3.0}, requires_grad());
  DetectAnomalyGuard anomaly;
  autograd::ScopeGuard scope("encoder.layers.0.ffn");
  CHECK_THROWS_WITH(log(x * 1.0),
                    Contains("the forward op Log (grad_fn LogBackward) produced 1 NaN and 0 Inf") &&
                        Contains("module path: encoder.layers.0.ffn") &&
                        Contains("input 0: (3) float32: min -1, max 3, mean 1.33333, 0 NaN, 0 Inf"));
}

TEST_CASE("anomaly mode says when a NaN came in through a leaf", "[anomaly]") {
  Tensor weight = tensor({1.0, NAN}, requires_grad());
  DetectAnomalyGuard anomaly;
  CHECK_THROWS_WITH(weight * 2.0,
                    Contains("the forward op Mul") &&
                        Contains("input 0: (2) float32: min 1, max 1, mean 1, 1 NaN, 0 Inf") &&
                        Contains("it is a leaf"));
}

TEST_CASE("an Inf passing through is not an anomaly, an Inf made from finite inputs is", "[anomaly]") {
  Tensor scores = tensor({1.0, 2.0}, requires_grad());
  Tensor mask = tensor({0.0, -INFINITY});
  DetectAnomalyGuard anomaly;
  Tensor masked = scores + mask;  // an attention mask's -inf: allowed
  CHECK(std::isinf(masked.to_vector<float>()[1]));
  CHECK(softmax(masked, 0).to_vector<float>() == std::vector<float>{1, 0});
  CHECK_THROWS_WITH(log(scores - 1.0), Contains("produced 0 NaN and 1 Inf"));  // log(0)
}

TEST_CASE("anomaly mode names the backward node", "[anomaly]") {
  Tensor x = tensor({0.0, 4.0}, requires_grad());
  DetectAnomalyGuard anomaly;
  Tensor y;
  {
    autograd::ScopeGuard scope("decoder.layers.2.multihead_attn");
    y = sqrt(x);  // sqrt(0) = 0 is fine, but its derivative 1 / (2 sqrt(0)) is not
  }
  CHECK_THROWS_WITH((y * 3.0).sum().backward(),
                    Contains("the backward node SqrtBackward returned 0 NaN and 1 Inf in the "
                               "gradient for input 0") &&
                        Contains("module path: decoder.layers.2.multihead_attn") &&
                        Contains("incoming gradient: (2) float32: min 3, max 3, mean 3, 0 NaN, 0 Inf") &&
                        Contains("the forward op's inputs had shapes (2)"));
}

TEST_CASE("anomaly mode blames a gradient hook that put the NaN in", "[anomaly]") {
  Tensor x = tensor({1.0, 2.0}, requires_grad());
  DetectAnomalyGuard anomaly;
  Tensor y = x * 2.0;
  y.register_hook([](const Tensor& g) { return g * NAN; });
  CHECK_THROWS_WITH(y.sum().backward(),
                    Contains("MulBackward") &&
                        Contains("a gradient hook (register_hook)"));
}

TEST_CASE("with anomaly mode off, NaNs pass silently", "[anomaly]") {
  REQUIRE_FALSE(AnomalyMode::is_enabled());
  Tensor x = tensor({-1.0}, requires_grad());
  Tensor y = log(x);
  y.backward();
  CHECK(std::isnan(y.item()));
  CHECK(std::isnan(x.grad().item()) == false);  // d log(x)/dx = 1/x = -1: finite
}

TEST_CASE("the guard restores the previous mode", "[anomaly]") {
  CHECK_FALSE(AnomalyMode::is_enabled());
  {
    DetectAnomalyGuard outer;
    {
      DetectAnomalyGuard inner;
      CHECK(AnomalyMode::is_enabled());
    }
    CHECK(AnomalyMode::is_enabled());
  }
  CHECK_FALSE(AnomalyMode::is_enabled());
}

TEST_CASE("a graph built before anomaly mode is still checked in backward", "[anomaly]") {
  Tensor x = tensor({0.0}, requires_grad());
  Tensor y = sqrt(x);
  DetectAnomalyGuard anomaly;
  CHECK_THROWS_WITH(y.backward(), Contains("module path: unknown"));
}

TEST_CASE("summarize reports min, max and mean of the finite values", "[anomaly]") {
  CHECK(autograd::summarize(tensor({1.0, INFINITY, 3.0, NAN})) ==
        "(4) float32: min 1, max 3, mean 2, 1 NaN, 1 Inf");
  CHECK(autograd::summarize(zeros({2, 2}, kInt64)) == "(2, 2) int64");
  CHECK(autograd::summarize(Tensor()) == "undefined");
}
