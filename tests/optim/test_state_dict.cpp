// Saving and resuming: 10 steps, save, load into fresh objects, 10 more steps is bit for bit the
// same as 20 uninterrupted steps; a state from another model or optimizer is refused with a message
// naming the key, and a refused load changes nothing.
#include <functional>
#include <memory>

#include "mlp_problem.h"

using namespace ag;
using namespace ag::optim;
using ag::test::MlpProblem;

namespace {

bool identical(const Tensor& a, const Tensor& b) {
  return a.sizes() == b.sizes() && a.dtype() == b.dtype() && a.to_vector<double>() == b.to_vector<double>();
}

void require_identical(const StateDict& a, const StateDict& b) {
  REQUIRE(a.size() == b.size());
  for (const auto& [key, value] : a) {
    INFO(key);
    REQUIRE(b.count(key));
    CHECK(identical(value, b.at(key)));
  }
}

// A training run's objects, made the same way for the uninterrupted and the resumed run.
struct Run {
  using MakeOptimizer = std::function<std::unique_ptr<Optimizer>(const MlpProblem&)>;
  using MakeSchedule = std::function<std::unique_ptr<LRScheduler>(Optimizer&)>;

  Run(MlpProblem problem, const MakeOptimizer& make_optimizer, const MakeSchedule& make_schedule)
      : m(std::move(problem)), optimizer(make_optimizer(m)), schedule(make_schedule(*optimizer)),
        ema(m.parameters(), 0.9) {}

  void train(int steps) {
    for (int i = 0; i < steps; ++i) {
      optimizer->zero_grad();
      m.loss().backward();
      clip_grad_norm_(m.parameters(), 0.5);
      optimizer->step();
      schedule->step();
      ema.update();
    }
  }

  // Model, optimizer, schedule and weight average in one map, as a checkpoint file holds them.
  StateDict checkpoint() const {
    StateDict out;
    std::vector<Tensor> params = m.parameters();
    for (size_t i = 0; i < params.size(); ++i) out[fmt::format("model.{}", i)] = params[i].detach().clone();
    out.merge(add_prefix(optimizer->state_dict(), "optimizer."));
    out.merge(add_prefix(schedule->state_dict(), "schedule."));
    out.merge(add_prefix(ema.state_dict(), "ema."));
    return out;
  }

  void resume(const StateDict& checkpoint) {
    NoGradGuard no_grad;
    std::vector<Tensor> params = m.parameters();
    for (size_t i = 0; i < params.size(); ++i) params[i].copy_(checkpoint.at(fmt::format("model.{}", i)));
    optimizer->load_state_dict(strip_prefix(checkpoint, "optimizer."));
    schedule->load_state_dict(strip_prefix(checkpoint, "schedule."));
    ema.load_state_dict(strip_prefix(checkpoint, "ema."));
  }

  MlpProblem m;
  std::unique_ptr<Optimizer> optimizer;
  std::unique_ptr<LRScheduler> schedule;
  ExponentialMovingAverage ema;
};

void check_resume_is_exact(const Run::MakeOptimizer& make_optimizer, const Run::MakeSchedule& make_schedule) {
  Run uninterrupted(MlpProblem::random(kFloat32, 7), make_optimizer, make_schedule);
  uninterrupted.train(20);

  Run first_half(MlpProblem::random(kFloat32, 7), make_optimizer, make_schedule);
  first_half.train(10);
  StateDict checkpoint = first_half.checkpoint();
  // Other starting weights (same data), so only the checkpoint can make the runs agree.
  MlpProblem scrambled = MlpProblem::random(kFloat32, 7);
  {
    NoGradGuard no_grad;
    for (Tensor& p : scrambled.parameters()) p.normal_();
  }
  Run second_half(scrambled, make_optimizer, make_schedule);
  second_half.resume(checkpoint);
  second_half.train(10);

  std::vector<Tensor> expected = uninterrupted.m.parameters(), actual = second_half.m.parameters();
  for (size_t i = 0; i < expected.size(); ++i) CHECK(identical(actual[i], expected[i]));
  require_identical(second_half.checkpoint(), uninterrupted.checkpoint());
}

}  // namespace

TEST_CASE("Resuming from a state_dict continues bit for bit", "[optim][state_dict]") {
  SECTION("Adam with AMSGrad and the Noam schedule") {
    check_resume_is_exact(
        [](const MlpProblem& m) {
          AdamOptions options = AdamOptions(1.0).betas({0.9, 0.98}).eps(1e-9).amsgrad(true).weight_decay(1e-3);
          return std::make_unique<Adam>(std::vector<ParamGroup>{m.weights(), {m.biases(), AdamOptions(options).weight_decay(0)}},
                                        options);
        },
        [](Optimizer& o) { return std::make_unique<NoamLR>(o, 16, 4); });
  }
  SECTION("AdamW with warmup and cosine decay") {
    check_resume_is_exact([](const MlpProblem& m) { return std::make_unique<AdamW>(m.parameters(), AdamWOptions(0.01)); },
                          [](Optimizer& o) { return std::make_unique<WarmupCosineLR>(o, 3, 15, 1e-4); });
  }
  SECTION("SGD with Nesterov momentum and StepLR") {
    check_resume_is_exact(
        [](const MlpProblem& m) {
          return std::make_unique<SGD>(m.parameters(), SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(1e-4));
        },
        [](Optimizer& o) { return std::make_unique<StepLR>(o, 4, 0.5); });
  }
}

TEST_CASE("An optimizer's state_dict names its state and hyper-parameters as PyTorch does", "[optim][state_dict]") {
  MlpProblem m = MlpProblem::random(kFloat32, 1);
  Adam adam({ParamGroup(m.weights()), ParamGroup(m.biases(), AdamOptions(0.5).amsgrad(true))}, AdamOptions(0.1));
  CHECK(adam.state_dict().count("state.0.step") == 0);  // no state before the first step
  m.train(adam, nullptr, 3);
  StateDict state = adam.state_dict();
  CHECK(state.at("state.0.step").item<int64_t>() == 3);
  CHECK(state.at("state.0.step").dtype() == kInt64);
  CHECK(state.at("state.1.exp_avg").sizes() == Shape{6, 3});  // parameter 1 is w2
  CHECK(state.count("state.1.max_exp_avg_sq") == 0);
  CHECK(state.at("state.3.max_exp_avg_sq").sizes() == Shape{3});  // b2, in the AMSGrad group
  CHECK(state.at("param_groups.0.lr").item() == 0.1);
  CHECK(state.at("param_groups.1.lr").item() == 0.5);
  CHECK(state.at("param_groups.0.betas").to_vector<double>() == std::vector<double>{0.9, 0.999});
  CHECK(state.at("param_groups.1.amsgrad").item<bool>());
  CHECK(state.at("param_groups.1.params").to_vector<int64_t>() == std::vector<int64_t>{2, 3});

  SECTION("the snapshot does not follow later steps") {
    m.train(adam, nullptr, 1);
    CHECK(state.at("state.0.step").item<int64_t>() == 3);
  }
  SECTION("loading restores the hyper-parameters, as PyTorch") {
    MlpProblem other = MlpProblem::random(kFloat32, 2);
    Adam fresh({ParamGroup(other.weights()), ParamGroup(other.biases())}, AdamOptions(0.7));
    fresh.load_state_dict(state);
    CHECK(fresh.param_groups()[0].options->get_lr() == 0.1);
    CHECK(static_cast<const AdamOptions&>(*fresh.param_groups()[1].options).amsgrad());
  }
}

TEST_CASE("load_state_dict refuses a state from another model or optimizer", "[optim][state_dict][errors]") {
  MlpProblem m = MlpProblem::random(kFloat32, 3);
  Adam adam(m.parameters(), AdamOptions(0.01));
  m.train(adam, nullptr, 2);
  StateDict state = adam.state_dict();
  StateDict before = adam.state_dict();

  SECTION("parameters of other shapes") {
    Tensor w1 = zeros({5, 6}).requires_grad_(), b1 = zeros({6}).requires_grad_();
    Adam other({w1, b1, m.w2, m.b2}, AdamOptions(0.01));
    REQUIRE_THROWS_WITH(other.load_state_dict(state),
                        Catch::Contains("state.0.exp_avg is a float32 tensor of shape (4, 6) but parameter 0 needs a "
                                        "float32 tensor of shape (5, 6)"));
  }
  SECTION("another number of parameters") {
    Adam other(m.weights(), AdamOptions(0.01));
    REQUIRE_THROWS_WITH(other.load_state_dict(state),
                        Catch::Contains("parameter group 0 has 2 parameters but the saved group has 4"));
  }
  SECTION("more parameter groups") {
    Adam other({ParamGroup({m.w1, m.b1, m.w2, m.b2})}, AdamOptions(0.01));
    state["param_groups.1.params"] = from_vector(std::vector<int64_t>{}, {0});
    REQUIRE_THROWS_WITH(other.load_state_dict(state), Catch::Contains("more parameter groups than this optimizer's 1"));
  }
  SECTION("another optimizer's state") {
    SGD sgd(m.parameters(), SGDOptions(0.1).momentum(0.9));
    REQUIRE_THROWS_WITH(sgd.load_state_dict(state), Catch::Contains("SGD.load_state_dict: missing key param_groups.0.momentum"));
  }
  SECTION("an unknown key") {
    state["state.9.exp_avg"] = zeros({3});
    REQUIRE_THROWS_WITH(adam.load_state_dict(state), Catch::Contains("Adam.load_state_dict: unexpected key state.9.exp_avg"));
  }
  SECTION("a bad hyper-parameter") {
    state["param_groups.0.lr"] = state_value(-1.0);
    REQUIRE_THROWS_WITH(adam.load_state_dict(state), Catch::Contains("AdamOptions: invalid learning rate -1"));
  }
  SECTION("a counter of the wrong dtype") {
    state["state.2.step"] = state_value(2.0);
    REQUIRE_THROWS_WITH(adam.load_state_dict(state), Catch::Contains("state.2.step is a float64 tensor of shape ()"));
  }
  require_identical(adam.state_dict(), before);  // nothing changed
}
