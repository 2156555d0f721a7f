// Learning-rate schedules: the lr at chosen steps equals the closed form, each group scaled by its
// own base lr; state_dict round trips; bad arguments are refused.
#include <cmath>
#include <numbers>

#include "mlp_problem.h"

using namespace ag;
using namespace ag::optim;

namespace {

// An optimizer with two groups at lr 1 and 0.5, to see that each group follows its own base lr.
struct TwoGroups {
  Tensor w = zeros({2}).requires_grad_(), b = zeros({1}).requires_grad_();
  SGD sgd{{ParamGroup({w}), ParamGroup({b}, SGDOptions(0.5))}, SGDOptions(1.0)};
  double lr(size_t group) const { return sgd.param_groups()[group].options->get_lr(); }
};

void advance(LRScheduler& schedule, int64_t steps) {
  for (int64_t i = 0; i < steps; ++i) schedule.step();
}

}  // namespace

TEST_CASE("NoamLR follows factor * d_model^-0.5 * min(step^-0.5, step * warmup^-1.5)", "[optim][schedule]") {
  TwoGroups t;
  NoamLR noam(t.sgd, 512, 4000, 2.0);
  auto expected = [](double step) { return 2.0 / std::sqrt(512.0) * std::min(1 / std::sqrt(step), step / std::pow(4000.0, 1.5)); };
  CHECK(t.lr(0) == Approx(expected(1)));  // step 0 counts as step 1
  advance(noam, 1);
  CHECK(t.lr(0) == Approx(expected(1)));
  advance(noam, 999);
  CHECK(t.lr(0) == Approx(expected(1000)));
  CHECK(t.lr(1) == Approx(0.5 * expected(1000)));
  advance(noam, 3000);  // the peak, where the two branches meet: (d_model * warmup)^-0.5 * factor
  CHECK(t.lr(0) == Approx(2.0 / std::sqrt(512.0 * 4000.0)));
  advance(noam, 12000);
  CHECK(t.lr(0) == Approx(expected(16000)));
  CHECK(noam.last_epoch() == 16000);
  CHECK(noam.get_last_lr() == std::vector<double>{t.lr(0), t.lr(1)});
}

TEST_CASE("WarmupCosineLR warms up linearly, then follows half a cosine to the floor", "[optim][schedule]") {
  TwoGroups t;
  WarmupCosineLR schedule(t.sgd, 10, 110, 0.01);
  CHECK(t.lr(0) == Approx(0.1));  // the first update is not at lr 0
  advance(schedule, 4);
  CHECK(t.lr(0) == Approx(0.5));
  CHECK(t.lr(1) == Approx(0.25));
  advance(schedule, 5);  // last warmup step: the base lr
  CHECK(t.lr(0) == Approx(1.0));
  advance(schedule, 1);  // the cosine starts at the base lr
  CHECK(t.lr(0) == Approx(1.0));
  advance(schedule, 50);  // halfway down: the mean of base and floor
  CHECK(t.lr(0) == Approx((1.0 + 0.01) / 2));
  advance(schedule, 25);
  CHECK(t.lr(0) == Approx(0.01 + 0.99 * (1 + std::cos(std::numbers::pi * 0.75)) / 2));
  advance(schedule, 25);
  CHECK(t.lr(0) == Approx(0.01));
  advance(schedule, 100);  // past total_steps: stays at the floor
  CHECK(t.lr(0) == Approx(0.01));
  CHECK(t.lr(1) == Approx(0.01));  // the floor is absolute
}

TEST_CASE("StepLR, ConstantLR and LambdaLR closed forms", "[optim][schedule]") {
  SECTION("StepLR: base * gamma^(step / step_size)") {
    TwoGroups t;
    StepLR schedule(t.sgd, 3, 0.1);
    advance(schedule, 2);
    CHECK(t.lr(0) == Approx(1.0));
    advance(schedule, 1);
    CHECK(t.lr(0) == Approx(0.1));
    advance(schedule, 4);
    CHECK(t.lr(0) == Approx(0.01));
    CHECK(t.lr(1) == Approx(0.005));
  }
  SECTION("ConstantLR: constant by default, factor for total_iters steps otherwise") {
    TwoGroups t;
    ConstantLR constant(t.sgd);
    advance(constant, 100);
    CHECK(t.lr(0) == 1.0);
    TwoGroups u;
    ConstantLR reduced(u.sgd, 0.25, 2);
    CHECK(u.lr(0) == 0.25);
    advance(reduced, 2);
    CHECK(u.lr(0) == 1.0);
  }
  SECTION("LambdaLR: base * f(step)") {
    TwoGroups t;
    LambdaLR schedule(t.sgd, [](int64_t step) { return 1.0 / static_cast<double>(step + 1); });
    advance(schedule, 7);
    CHECK(t.lr(0) == Approx(1.0 / 8));
    CHECK(t.lr(1) == Approx(0.5 / 8));
    CHECK(schedule.lr_at(3, 2.0) == Approx(0.5));
  }
}

TEST_CASE("A schedule's state_dict restores its position and the optimizer's lr", "[optim][schedule]") {
  TwoGroups t;
  NoamLR schedule(t.sgd, 64, 10);
  advance(schedule, 25);
  StateDict saved = schedule.state_dict();
  CHECK(saved.at("last_epoch").item<int64_t>() == 25);

  TwoGroups fresh;
  NoamLR resumed(fresh.sgd, 64, 10);
  resumed.load_state_dict(saved);
  CHECK(resumed.last_epoch() == 25);
  CHECK(fresh.lr(0) == t.lr(0));
  CHECK(fresh.lr(1) == t.lr(1));
  schedule.step();
  resumed.step();
  CHECK(resumed.get_last_lr() == schedule.get_last_lr());

  SECTION("a state for another number of groups is refused") {
    Tensor w = zeros({2}).requires_grad_();
    SGD one_group({w}, SGDOptions(1.0));
    NoamLR other(one_group, 64, 10);
    REQUIRE_THROWS_WITH(other.load_state_dict(saved), Catch::Contains("base_lrs should be a float64 tensor of shape (1)"));
  }
  SECTION("unexpected keys are refused") {
    saved["warmup"] = state_value(int64_t{10});
    REQUIRE_THROWS_WITH(resumed.load_state_dict(saved), Catch::Contains("unexpected key warmup"));
  }
}

TEST_CASE("Schedules refuse bad arguments", "[optim][schedule][errors]") {
  TwoGroups t;
  REQUIRE_THROWS_WITH(StepLR(t.sgd, 0), Catch::Contains("StepLR: step_size must be >= 1, got 0"));
  REQUIRE_THROWS_WITH(NoamLR(t.sgd, 512, 0), Catch::Contains("NoamLR: warmup_steps must be >= 1"));
  REQUIRE_THROWS_WITH(WarmupCosineLR(t.sgd, 100, 50), Catch::Contains("total_steps (50) must be greater than warmup_steps (100)"));
  REQUIRE_THROWS_WITH(ConstantLR(t.sgd, 1.5, 3), Catch::Contains("factor must be in [0, 1], got 1.5"));
  REQUIRE_THROWS_WITH(LambdaLR(t.sgd, nullptr), Catch::Contains("lr_lambda is empty"));
  CHECK(t.lr(0) == 1.0);  // a refused schedule changed nothing
}
