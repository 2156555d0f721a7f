// ExponentialMovingAverage: the update with and without warmup, apply_to/restore for evaluation,
// and its state_dict.
#include "mlp_problem.h"

using namespace ag;
using namespace ag::optim;

namespace {

void set(Tensor& p, double value) {
  NoGradGuard no_grad;
  p.fill_(value);
}

}  // namespace

TEST_CASE("ExponentialMovingAverage follows shadow = d * shadow + (1 - d) * param", "[optim][ema]") {
  Tensor p = zeros({3}, kFloat64).requires_grad_();
  SECTION("without warmup, d = decay") {
    ExponentialMovingAverage ema({p}, 0.9, /*warmup=*/false);
    set(p, 1.0);
    ema.update();
    CHECK(ema.shadow()[0].to_vector<double>()[0] == Approx(0.1));
    ema.update();
    CHECK(ema.shadow()[0].to_vector<double>()[0] == Approx(0.9 * 0.1 + 0.1));
    CHECK(ema.num_updates() == 2);
  }
  SECTION("with warmup, d = min(decay, (1 + n) / (10 + n))") {
    ExponentialMovingAverage ema({p}, 0.9999);
    set(p, 1.0);
    ema.update();  // n = 0: d = 0.1
    CHECK(ema.shadow()[0].to_vector<double>()[0] == Approx(0.9));
    set(p, 2.0);
    ema.update();  // n = 1: d = 2/11
    CHECK(ema.shadow()[0].to_vector<double>()[0] == Approx(2.0 / 11 * 0.9 + 9.0 / 11 * 2.0));
  }
}

TEST_CASE("apply_to swaps the averages in for evaluation, restore swaps them back", "[optim][ema]") {
  Tensor p = zeros({2}, kFloat32).requires_grad_();
  ExponentialMovingAverage ema({p}, 0.5, false);
  set(p, 4.0);
  ema.update();  // shadow 2
  uint64_t version = p.version();
  ema.apply_to();
  CHECK(ema.applied());
  CHECK(p.to_vector<float>() == std::vector<float>{2, 2});
  CHECK(p.version() > version);  // written through raw pointers, still visible to autograd
  REQUIRE_THROWS_WITH(ema.update(), Catch::Contains("call restore() before training on"));
  REQUIRE_THROWS_WITH(ema.apply_to(), Catch::Contains("already applied"));
  REQUIRE_THROWS_WITH(ema.state_dict(), Catch::Contains("call restore() first"));
  ema.restore();
  CHECK(p.to_vector<float>() == std::vector<float>{4, 4});
  CHECK(ema.shadow()[0].to_vector<float>() == std::vector<float>{2, 2});
  REQUIRE_THROWS_WITH(ema.restore(), Catch::Contains("nothing to restore"));
  ema.swap();
  ema.swap();
  CHECK(p.to_vector<float>() == std::vector<float>{4, 4});
}

TEST_CASE("ExponentialMovingAverage state_dict round trip and checks", "[optim][ema]") {
  Tensor p = zeros({2, 2}).requires_grad_();
  ExponentialMovingAverage ema({p}, 0.99);
  set(p, 1.0);
  ema.update();
  StateDict state = ema.state_dict();
  CHECK(state.at("num_updates").item<int64_t>() == 1);

  Tensor q = zeros({2, 2}).requires_grad_();
  ExponentialMovingAverage loaded({q}, 0.99);
  loaded.load_state_dict(state);
  CHECK(loaded.num_updates() == 1);
  CHECK(loaded.shadow()[0].to_vector<float>() == ema.shadow()[0].to_vector<float>());

  Tensor r = zeros({4}).requires_grad_();
  ExponentialMovingAverage other({r}, 0.99);
  REQUIRE_THROWS_WITH(other.load_state_dict(state), Catch::Contains("shadow.0 is a float32 tensor of shape (2, 2) "
                                                                    "but parameter 0 is a float32 tensor of shape (4)"));
  REQUIRE_THROWS_WITH(ExponentialMovingAverage({p}, 1.5), Catch::Contains("decay must be in [0, 1]"));
}
