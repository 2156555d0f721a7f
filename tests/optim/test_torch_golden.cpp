// Golden tests: ag's optimizers, schedules and clipping take the same steps as torch.optim
// (fixtures from tests/reference/make_optim_fixtures.py; every hyper-parameter below matches a
// config there). 20 float64 steps must land within 1e-6 of PyTorch's parameters.
#include <cmath>
#include <memory>

#include "mlp_problem.h"

using namespace ag;
using namespace ag::optim;
using ag::test::MlpProblem;

namespace {

constexpr int kSteps = 20;

void require_matches_torch(const MlpProblem& m, const test::Fixture& f, const std::string& config) {
  test::require_close(m.w1, f.at(config + ".w1"), 1e-6, 1e-6, config + " w1");
  test::require_close(m.b1, f.at(config + ".b1"), 1e-6, 1e-6, config + " b1");
  test::require_close(m.w2, f.at(config + ".w2"), 1e-6, 1e-6, config + " w2");
  test::require_close(m.b2, f.at(config + ".b2"), 1e-6, 1e-6, config + " b2");
}

}  // namespace

TEST_CASE("SGD matches torch.optim.SGD", "[optim][golden]") {
  test::Fixture f = test::load_fixture("optim_sgd.json");
  MlpProblem m = MlpProblem::from_fixture(f);

  SECTION("plain") {
    SGD sgd({ParamGroup(m.weights()), ParamGroup(m.biases())}, SGDOptions(0.1));
    m.train(sgd, nullptr, kSteps);
    require_matches_torch(m, f, "sgd");
  }
  SECTION("momentum, dampening and weight decay, biases in their own group") {
    SGDOptions options = SGDOptions(0.1).momentum(0.9).dampening(0.1).weight_decay(0.01);
    SGD sgd({ParamGroup(m.weights()), ParamGroup(m.biases(), SGDOptions(options).lr(0.05).weight_decay(0))}, options);
    m.train(sgd, nullptr, kSteps);
    require_matches_torch(m, f, "sgd_momentum");
  }
  SECTION("Nesterov with StepLR") {
    SGDOptions options = SGDOptions(0.05).momentum(0.9).nesterov(true).weight_decay(0.01);
    SGD sgd({ParamGroup(m.weights()), ParamGroup(m.biases(), SGDOptions(options).lr(0.1).weight_decay(0))}, options);
    StepLR schedule(sgd, 5, 0.5);
    m.train(sgd, &schedule, kSteps);
    require_matches_torch(m, f, "sgd_nesterov");
  }
}

TEST_CASE("Adam matches torch.optim.Adam", "[optim][golden]") {
  test::Fixture f = test::load_fixture("optim_adam.json");
  MlpProblem m = MlpProblem::from_fixture(f);

  SECTION("L2 weight decay, gradient clipping") {
    AdamOptions options = AdamOptions(0.01).betas({0.9, 0.99}).weight_decay(0.01);
    Adam adam({ParamGroup(m.weights()), ParamGroup(m.biases(), AdamOptions(options).weight_decay(0))}, options);
    m.train(adam, nullptr, kSteps, /*clip_norm=*/0.5);
    require_matches_torch(m, f, "adam");
  }
  SECTION("AMSGrad with warmup and cosine decay") {
    AdamOptions options = AdamOptions(0.02).amsgrad(true).weight_decay(0.01);
    Adam adam({ParamGroup(m.weights()), ParamGroup(m.biases(), AdamOptions(options).lr(0.01).weight_decay(0))},
              options);
    WarmupCosineLR schedule(adam, 5, 15, 1e-3);
    m.train(adam, &schedule, kSteps);
    require_matches_torch(m, f, "adam_amsgrad");
  }
}

TEST_CASE("AdamW matches torch.optim.AdamW", "[optim][golden]") {
  test::Fixture f = test::load_fixture("optim_adamw.json");
  MlpProblem m = MlpProblem::from_fixture(f);

  SECTION("decoupled weight decay with LambdaLR") {
    AdamW adamw({ParamGroup(m.weights()), ParamGroup(m.biases(), AdamWOptions(0.01).weight_decay(0))},
                AdamWOptions(0.01).weight_decay(0.1));
    LambdaLR schedule(adamw, [](int64_t step) { return 1 / (1 + 0.1 * static_cast<double>(step)); });
    m.train(adamw, &schedule, kSteps);
    require_matches_torch(m, f, "adamw");
  }
  SECTION("AMSGrad with the Noam schedule and clipping") {
    AdamOptions options = AdamWOptions(1.0).betas({0.9, 0.98}).eps(1e-9).weight_decay(0.05).amsgrad(true);
    AdamW adamw({ParamGroup(m.weights()), ParamGroup(m.biases(), AdamOptions(options).lr(0.5))}, options);
    NoamLR schedule(adamw, 16, 5, 0.5);
    m.train(adamw, &schedule, kSteps, /*clip_norm=*/1.0);
    require_matches_torch(m, f, "adamw_amsgrad");
  }
}

TEST_CASE("clip_grad_norm_ matches torch.nn.utils.clip_grad_norm_", "[optim][golden]") {
  test::Fixture f = test::load_fixture("optim_clip.json");
  const char* names[] = {"w1", "b1", "w2", "b2"};
  struct Case { const char* name; double max_norm, norm_type; };
  for (Case c : {Case{"l2", 0.05, 2.0}, Case{"inf", 0.01, INFINITY}, Case{"p1_5", 0.03, 1.5},
                 Case{"unclipped", 100.0, 2.0}}) {
    std::string name = c.name;
    std::vector<Tensor> params;
    for (const char* n : names) {
      const Tensor& grad = f.at(std::string("grad.") + n);
      params.push_back(zeros(grad.sizes(), kFloat64).requires_grad_());
      params.back().mutable_grad() = grad.clone();
    }
    double total = clip_grad_norm_(params, c.max_norm, c.norm_type);
    CHECK(total == Approx(f.at(name + ".total_norm").item()).epsilon(1e-12));
    for (size_t i = 0; i < params.size(); ++i)
      test::require_close(params[i].grad(), f.at(name + "." + names[i]), 1e-12, 1e-15, name + " " + names[i]);
  }
}

TEST_CASE("StepLR, ConstantLR and LambdaLR give torch's learning rates step by step", "[optim][golden]") {
  test::Fixture f = test::load_fixture("optim_schedules.json");
  Tensor w = zeros({1}, kFloat64).requires_grad_(), b = zeros({1}, kFloat64).requires_grad_();
  auto check = [&](const std::string& name, auto make) {
    SGD sgd({ParamGroup({w}), ParamGroup({b}, SGDOptions(0.02))}, SGDOptions(0.1));
    std::unique_ptr<LRScheduler> schedule = make(sgd);
    std::vector<double> expected = f.at(name).to_vector<double>();
    for (size_t k = 0; k < expected.size() / 2; ++k) {
      INFO(name << " after " << k << " steps");
      CHECK(schedule->get_last_lr()[0] == Approx(expected[2 * k]).epsilon(1e-12));
      CHECK(sgd.param_groups()[1].options->get_lr() == Approx(expected[2 * k + 1]).epsilon(1e-12));
      schedule->step();
    }
  };
  check("step_lr", [](Optimizer& o) { return std::make_unique<StepLR>(o, 7, 0.3); });
  check("constant_lr", [](Optimizer& o) { return std::make_unique<ConstantLR>(o, 0.5, 4); });
  check("lambda_lr", [](Optimizer& o) {
    return std::make_unique<LambdaLR>(o, [](int64_t s) { return std::pow(0.9, static_cast<double>(s)) + 0.01 * static_cast<double>(s); });
  });
}
