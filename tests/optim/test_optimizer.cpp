// The Optimizer base: hyper-parameter checks, parameter groups, zero_grad, skipped parameters, and
// the version bump that lets autograd catch a step between forward and backward.
#include "mlp_problem.h"

using namespace ag;
using namespace ag::optim;

TEST_CASE("Bad hyper-parameters are refused with the value and the valid range", "[optim][errors]") {
  Tensor w = zeros({2}).requires_grad_();
  REQUIRE_THROWS_WITH(SGD({w}, SGDOptions(-0.1)), Catch::Contains("SGDOptions: invalid learning rate -0.1 (must be >= 0)"));
  REQUIRE_THROWS_WITH(SGD({w}, SGDOptions(0.1).momentum(-1)), Catch::Contains("invalid momentum -1"));
  REQUIRE_THROWS_WITH(SGD({w}, SGDOptions(0.1).nesterov(true)),
                      Catch::Contains("Nesterov momentum requires a momentum > 0 and zero dampening"));
  REQUIRE_THROWS_WITH(Adam({w}, AdamOptions(-1)), Catch::Contains("AdamOptions: invalid learning rate -1"));
  REQUIRE_THROWS_WITH(Adam({w}, AdamOptions().betas({1.0, 0.999})),
                      Catch::Contains("invalid beta1 1 (betas must be in [0, 1))"));
  REQUIRE_THROWS_WITH(AdamW({w}, AdamWOptions().betas({0.9, -0.1})), Catch::Contains("invalid beta2 -0.1"));
  REQUIRE_THROWS_WITH(Adam({w}, AdamOptions().eps(-1e-8)), Catch::Contains("invalid eps"));
  REQUIRE_THROWS_WITH(AdamW({w}, AdamWOptions().weight_decay(-1)), Catch::Contains("invalid weight_decay -1"));
  // A group's own options are checked too.
  REQUIRE_THROWS_WITH(Adam({ParamGroup({w}, AdamOptions(-2))}), Catch::Contains("invalid learning rate -2"));
}

TEST_CASE("Parameter lists are checked", "[optim][errors]") {
  Tensor w = zeros({2}).requires_grad_();
  REQUIRE_THROWS_WITH(Adam(std::vector<Tensor>{}), Catch::Contains("Adam: got an empty parameter list"));
  REQUIRE_THROWS_WITH(Adam({ParamGroup({w}), ParamGroup({w})}), Catch::Contains("appears twice"));
  REQUIRE_THROWS_WITH(SGD({w * 2.0}, SGDOptions(0.1)), Catch::Contains("can't optimize a non-leaf tensor"));
  REQUIRE_THROWS_WITH(Adam({ParamGroup({w}, SGDOptions(0.1))}), Catch::Contains("given options of another optimizer"));
  REQUIRE_THROWS_WITH(SGD({zeros({3, 2}).t()}, SGDOptions(0.1)), Catch::Contains("is not contiguous"));
}

TEST_CASE("Groups keep their own options; AdamW defaults to weight decay 1e-2", "[optim]") {
  Tensor w = zeros({2}).requires_grad_(), b = zeros({1}).requires_grad_();
  AdamOptions shared = AdamWOptions(0.1);
  AdamW adamw({ParamGroup({w}), ParamGroup({b}, AdamWOptions(0.2).weight_decay(0))}, shared);
  shared.lr(5.0);  // the optimizer copied its options
  const auto& group0 = static_cast<const AdamOptions&>(*adamw.param_groups()[0].options);
  const auto& group1 = static_cast<const AdamOptions&>(*adamw.param_groups()[1].options);
  CHECK(group0.lr() == 0.1);
  CHECK(group0.weight_decay() == 1e-2);
  CHECK(group1.lr() == 0.2);
  CHECK(group1.weight_decay() == 0);
  CHECK(adamw.parameters().size() == 2);
  adamw.add_param_group(ParamGroup({zeros({4}).requires_grad_()}));
  CHECK(adamw.param_groups()[2].options->get_lr() == 0.1);
}

TEST_CASE("zero_grad drops or zeroes gradients; step skips parameters without one", "[optim]") {
  Tensor w = ones({2}).requires_grad_(), unused = ones({2}).requires_grad_();
  SGD sgd({w, unused}, SGDOptions(0.5).momentum(0.9));
  (w * w).sum().backward();
  sgd.step();
  CHECK(w.to_vector<float>() == std::vector<float>{0, 0});  // 1 - 0.5 * 2
  CHECK(unused.to_vector<float>() == std::vector<float>{1, 1});
  CHECK(sgd.state_dict().count("state.1.momentum_buffer") == 0);
  sgd.zero_grad(/*set_to_none=*/false);
  CHECK(w.grad().to_vector<float>() == std::vector<float>{0, 0});
  sgd.zero_grad();
  CHECK(!w.grad().defined());
}

TEST_CASE("step bumps each parameter's version, so a stale saved tensor is caught", "[optim]") {
  for (bool adam : {false, true}) {
    Tensor w = ones({3}).requires_grad_();
    std::unique_ptr<Optimizer> optimizer;
    if (adam) optimizer = std::make_unique<Adam>(std::vector<Tensor>{w});
    else optimizer = std::make_unique<SGD>(std::vector<Tensor>{w}, SGDOptions(0.1));
    (w * w).sum().backward();
    Tensor loss = (w * w).sum();  // saves w for backward
    uint64_t version = w.version();
    optimizer->step();
    CHECK(w.version() > version);
    CHECK_THROWS_WITH(loss.backward(), Catch::Contains("modified by an in-place operation"));
  }
}
