// Gradient clipping beyond the golden values: a non-finite gradient is reported (returned, or thrown
// with error_if_nonfinite) rather than spread silently; clip_grad_value_; edge cases.
#include <cmath>

#include "mlp_problem.h"

using namespace ag;
using namespace ag::optim;

namespace {

Tensor with_grad(std::vector<double> grad) {
  Tensor p = zeros({static_cast<int64_t>(grad.size())}, kFloat64).requires_grad_();
  p.mutable_grad() = from_vector(grad, {static_cast<int64_t>(grad.size())});
  return p;
}

}  // namespace

TEST_CASE("clip_grad_norm_ scales by max_norm / total only when total exceeds max_norm", "[optim][clip]") {
  Tensor a = with_grad({3, 0}), b = with_grad({0, 4}), no_grad = zeros({2}).requires_grad_();
  CHECK(clip_grad_norm_({a, b, no_grad}, 10.0) == 5.0);
  CHECK(a.grad().to_vector<double>() == std::vector<double>{3, 0});
  double total = clip_grad_norm_({a, b, no_grad}, 1.0);
  CHECK(total == 5.0);
  CHECK(a.grad().to_vector<double>()[0] == Approx(3 / (5 + 1e-6)));
  CHECK(clip_grad_norm_({no_grad}, 1.0) == 0.0);
}

TEST_CASE("clip_grad_norm_ accumulates float32 gradients in double and splits large ones over threads", "[optim][clip]") {
  Tensor p = zeros({100000}).requires_grad_();
  p.mutable_grad() = full({100000}, 1e-3f);
  CHECK(clip_grad_norm_({p}, 1e9) == Approx(std::sqrt(100000 * 1e-6)).epsilon(1e-6));
  p.mutable_grad() = full({100000}, 1e30f);  // squares overflow float32, not double
  CHECK(std::isfinite(clip_grad_norm_({p}, 1.0)));
}

TEST_CASE("A NaN or infinite gradient is reported, not spread silently", "[optim][clip][errors]") {
  SECTION("error_if_nonfinite throws naming the parameter and leaves the gradients alone") {
    Tensor a = with_grad({1, 2}), b = with_grad({NAN, 1});
    REQUIRE_THROWS_WITH(clip_grad_norm_({a, b}, 1.0, 2.0, true),
                        Catch::Contains("total 2-norm of the gradients is nan (parameter 1 of shape (2) has a "
                                        "non-finite gradient)"));
    CHECK(a.grad().to_vector<double>() == std::vector<double>{1, 2});
  }
  SECTION("the infinity norm sees a NaN too") {
    Tensor a = with_grad({NAN, 1});
    REQUIRE_THROWS_WITH(clip_grad_norm_({a}, 1.0, INFINITY, true), Catch::Contains("is nan"));
  }
  SECTION("otherwise the returned norm is NaN and the gradients become NaN, as PyTorch") {
    Tensor a = with_grad({1, 2}), b = with_grad({NAN, 1});
    CHECK(std::isnan(clip_grad_norm_({a, b}, 1.0)));
    CHECK(std::isnan(a.grad().to_vector<double>()[0]));
  }
  SECTION("an infinite gradient: norm inf, gradients scaled by 0, as PyTorch") {
    Tensor a = with_grad({1, 2}), b = with_grad({INFINITY, 1});
    CHECK(std::isinf(clip_grad_norm_({a, b}, 1.0)));
    CHECK(a.grad().to_vector<double>() == std::vector<double>{0, 0});
    CHECK(std::isnan(b.grad().to_vector<double>()[0]));
  }
}

TEST_CASE("clip_grad_norm_ refuses a meaningless norm", "[optim][clip][errors]") {
  Tensor a = with_grad({1});
  REQUIRE_THROWS_WITH(clip_grad_norm_({a}, 1.0, 0.0), Catch::Contains("norm_type must be > 0"));
  REQUIRE_THROWS_WITH(clip_grad_norm_({a}, -1.0), Catch::Contains("max_norm must be >= 0, got -1"));
}

TEST_CASE("clip_grad_value_ clamps each element", "[optim][clip]") {
  Tensor a = with_grad({-3, 0.5, 2, NAN});
  uint64_t version = a.grad().version();
  clip_grad_value_({a}, 1.0);
  std::vector<double> g = a.grad().to_vector<double>();
  CHECK(g[0] == -1);
  CHECK(g[1] == 0.5);
  CHECK(g[2] == 1);
  CHECK(std::isnan(g[3]));
  CHECK(a.grad().version() > version);
  REQUIRE_THROWS_WITH(clip_grad_value_({a}, -1.0), Catch::Contains("clip_value must be >= 0"));
}

TEST_CASE("nn::utils::clip_grad_norm_, libtorch's spelling, is the same function", "[optim][clip]") {
  Tensor w = tensor({3.0, 4.0}, kFloat64).requires_grad_(true);
  (w * w).sum().backward();  // gradient (6, 8), norm 10
  CHECK(nn::utils::clip_grad_norm_({w}, 5.0) == Approx(10.0));
  CHECK(w.grad().to_vector<double>()[1] == Approx(4.0).epsilon(1e-6));
  nn::utils::clip_grad_value_({w}, 1.0);
  CHECK(w.grad().to_vector<double>()[1] == 1.0);
}
