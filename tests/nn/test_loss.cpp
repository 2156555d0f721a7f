// Losses: cross_entropy (fused) against PyTorch and against its composed twin, nll_loss, mse_loss,
// and the errors a user sees for bad inputs.
#include <catch2/catch.hpp>
#include <cmath>

#include "ag/ag.h"
#include "fixture.h"
#include "ag/nn/functional/loss.h"

using namespace ag;
namespace F = ag::nn::functional;

namespace {

// Float32 against PyTorch: same math, different summation order (see test_layers.cpp).
constexpr double kRtol = 1e-4, kAtol = 1e-6;

// The composed twin of the fused kernel: log_softmax, then PyTorch's label-smoothing formula
// (1 - eps) nll + eps * (-sum_j log p_j) / C, with ignored targets contributing nothing.
Tensor composed_cross_entropy(const Tensor& logits, const Tensor& target, int64_t ignore_index, double eps,
                              const std::string& reduction) {
  const int64_t C = logits.size(1);
  Tensor logp = logits.log_softmax(1);
  Tensor nll = F::nll_loss(logp, target, ignore_index, "none");
  Tensor ignored = eq(target, full({}, static_cast<double>(ignore_index), kInt64));
  Tensor smooth = (-logp.sum({1}) / static_cast<double>(C)).masked_fill(ignored, 0.0);
  Tensor losses = nll * (1 - eps) + smooth * eps;
  if (reduction == "none") return losses;
  if (reduction == "sum") return losses.sum();
  return losses.sum() / logical_not(ignored).to(logits.dtype()).sum();
}

}  // namespace

TEST_CASE("cross_entropy matches PyTorch with label smoothing, ignore_index and every reduction", "[nn][loss][golden]") {
  auto fixture = test::load_fixture("nn_cross_entropy.json");
  for (const std::string c : {"smooth", "plain", "ignore2", "spatial"}) {
    const int64_t ignore_index = fixture.meta.at(c).at("ignore_index").get<int64_t>();
    const double smoothing = fixture.meta.at(c).at("label_smoothing").get<double>();
    for (const std::string reduction : {"mean", "sum", "none"}) {
      const std::string key = c + "." + reduction;
      Tensor x = fixture.at(c + ".logits").clone().requires_grad_();
      Tensor out = F::cross_entropy(x, fixture.at(c + ".target"), ignore_index, smoothing, reduction);
      test::require_close(out, fixture.at(key + ".output"), kRtol, kAtol, key + " output");
      (out * fixture.at(key + ".proj")).sum().backward();
      test::require_close(x.grad(), fixture.at(key + ".grad"), kRtol, kAtol, key + " grad");
    }
  }
}

TEST_CASE("mse_loss matches PyTorch for every reduction", "[nn][loss][golden]") {
  auto fixture = test::load_fixture("nn_mse_loss.json");
  for (const std::string reduction : {"mean", "sum", "none"}) {
    Tensor a = fixture.at("a").clone().requires_grad_(), b = fixture.at("b").clone().requires_grad_();
    Tensor out = F::mse_loss(a, b, reduction);
    test::require_close(out, fixture.at(reduction + ".output"), kRtol, kAtol, reduction + " output");
    (out * fixture.at(reduction + ".proj")).sum().backward();
    test::require_close(a.grad(), fixture.at(reduction + ".grad_a"), kRtol, kAtol, reduction + " grad_a");
    test::require_close(b.grad(), fixture.at(reduction + ".grad_b"), kRtol, kAtol, reduction + " grad_b");
  }
}

TEST_CASE("fused cross_entropy equals log_softmax + nll_loss, forward and backward", "[nn][loss]") {
  manual_seed(5);
  Tensor logits = (randn({12, 6}, kFloat64) * 4.0).requires_grad_();
  Tensor target = tensor({0, 5, -1, 2, 2, 3, 1, -1, 4, 0, 5, 3}, kInt64);
  for (double eps : {0.0, 0.3}) {
    for (const std::string reduction : {"mean", "sum", "none"}) {
      INFO(reduction << " label_smoothing " << eps);
      Tensor proj = randn(reduction == "none" ? Shape{12} : Shape{}, kFloat64);
      Tensor fused = F::cross_entropy(logits, target, -1, eps, reduction);
      (fused * proj).sum().backward();
      Tensor fused_grad = logits.grad().clone();
      logits.mutable_grad() = Tensor();
      Tensor composed = composed_cross_entropy(logits, target, -1, eps, reduction);
      (composed * proj).sum().backward();
      test::require_close(fused, composed, 1e-12, 1e-12, "loss");
      test::require_close(fused_grad, logits.grad(), 1e-12, 1e-12, "grad");
      logits.mutable_grad() = Tensor();
    }
  }
}

TEST_CASE("class-index losses accept unbatched and (N,C,d) inputs", "[nn][loss]") {
  manual_seed(6);
  Tensor logits = randn({2, 4, 3});
  Tensor target = tensor({{0, 3, 1}, {2, 2, 0}}, kInt64);
  Tensor per_position = F::cross_entropy(logits, target, -100, 0.0, "none");
  CHECK(per_position.sizes() == Shape{2, 3});
  Tensor flat = F::cross_entropy(logits.permute({0, 2, 1}).reshape({6, 4}), target.reshape({6}), -100, 0.0, "none");
  CHECK(allclose(per_position.reshape({6}), flat));
  CHECK(allclose(F::nll_loss(logits.log_softmax(1), target), F::cross_entropy(logits, target)));

  Tensor one = randn({5});
  Tensor label = full({}, 3, kInt64);
  CHECK(F::cross_entropy(one, label).sizes() == Shape{});
  CHECK(F::cross_entropy(one, label).item() == Approx(-one.log_softmax(0).select(0, 3).item()));
}

TEST_CASE("mean over only ignored targets is NaN, as in PyTorch", "[nn][loss]") {
  Tensor target = full({3}, -100, kInt64);
  CHECK(std::isnan(F::cross_entropy(randn({3, 4}), target).item()));
  CHECK(F::cross_entropy(randn({3, 4}), target, -100, 0.1, "sum").item() == 0.0);
}

TEST_CASE("losses reject bad inputs with messages that say what to fix", "[nn][loss]") {
  Tensor logits = randn({4, 3});
  CHECK_THROWS_WITH(F::cross_entropy(logits, tensor({0, 1, 3, 2}, kInt64)),
                    Catch::Contains("target 3 at flat position 2 is out of range for 3 classes"));
  CHECK_THROWS_WITH(F::cross_entropy(logits, tensor({0, 1, 2, 2})), Catch::Contains("target must hold int64 class "
                                                                                     "indices, got float32"));
  CHECK_THROWS_WITH(F::cross_entropy(randn({2, 5, 7}), zeros({2, 5}, kInt64)),
                    Catch::Contains("input (2, 5, 7) (class dim 1 of size 5) needs a target of shape (2, 7), got "
                                    "(2, 5). For (B,T,C) logits, flatten"));
  CHECK_THROWS_WITH(F::cross_entropy(logits, zeros({3}, kInt64)), Catch::Contains("needs a target of shape (4)"));
  CHECK_THROWS_WITH(F::cross_entropy(zeros({4, 3}, kInt64), zeros({4}, kInt64)),
                    Catch::Contains("input must be float32 or float64, got int64"));
  CHECK_THROWS_WITH(F::cross_entropy(logits, zeros({4}, kInt64), -100, 0.0, "avg"),
                    Catch::Contains("reduction must be \"mean\", \"sum\" or \"none\", got \"avg\""));
  CHECK_THROWS_WITH(F::cross_entropy(logits, zeros({4}, kInt64), -100, 1.5),
                    Catch::Contains("label_smoothing must be in [0, 1], got 1.5"));
  CHECK_THROWS_WITH(F::nll_loss(logits, tensor({0, -1, 0, 0}, kInt64)), Catch::Contains("target -1 at flat position 1"));
  CHECK_THROWS_WITH(F::mse_loss(zeros({2, 3}), zeros({3})),
                    Catch::Contains("mse_loss: input (2, 3) and target (3) must have the same shape"));
  CHECK_THROWS_WITH(F::mse_loss(zeros({3}), zeros({3}, kFloat64)), Catch::Contains("float64"));
}
