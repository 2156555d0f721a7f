// Optimizer::state(): libtorch's per-parameter state, keyed by the parameter's TensorImpl, with
// AdamParamState and SGDParamState's accessors over the tensors state_dict() saves.
#include <catch2/catch.hpp>

#include "ag/ag.h"
#include "ag/optim/optim.h"

using namespace ag;
using namespace ag::optim;

namespace {

// A leaf whose gradient is `grad`.
Tensor param_with_grad(const Tensor& value, const Tensor& grad) {
  Tensor p = value.clone().requires_grad_(true);
  p.mutable_grad() = grad.clone();
  return p;
}

std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }

// Equal to rounding (the update kernels may fuse a multiply and an add).
bool close(const Tensor& a, const Tensor& b) { return allclose(a, b, 1e-14, 1e-15); }

}  // namespace

TEST_CASE("Adam's state() holds step, exp_avg and exp_avg_sq per parameter, as libtorch's", "[optim][state]") {
  Tensor g = tensor({0.5, -2.0}, kFloat64);
  Tensor w = param_with_grad(tensor({1.0, 1.0}, kFloat64), g);
  Tensor unused = zeros({3}, kFloat64).requires_grad_(true);  // no gradient: never stepped, no state
  Adam adam(std::vector<Tensor>{w, unused}, AdamOptions(0.1).betas({0.9, 0.99}));
  CHECK(adam.state().empty());
  adam.step();
  REQUIRE(adam.state().size() == 1);
  CHECK(adam.state().count(unused.impl()) == 0);
  auto& s = static_cast<AdamParamState&>(*adam.state().at(w.impl()));
  CHECK(s.step() == 1);
  // After one step m = (1 - b1) g and v = (1 - b2) g^2.
  CHECK(close(s.exp_avg(), g * (1 - 0.9)));
  CHECK(close(s.exp_avg_sq(), g * g * (1 - 0.99)));
  CHECK_FALSE(s.max_exp_avg_sq().defined());  // AMSGrad only
  // The same tensors state_dict() saves (it saves copies).
  StateDict saved = adam.state_dict();
  CHECK(values(saved.at("state.0.exp_avg")) == values(s.exp_avg()));
  adam.step();
  CHECK(s.step() == 2);
}

TEST_CASE("state() is the optimizer's live state: changing it changes the next step", "[optim][state]") {
  Tensor g = tensor({1.0, 2.0}, kFloat64);
  Tensor a = param_with_grad(zeros({2}, kFloat64), g), b = param_with_grad(zeros({2}, kFloat64), g);
  SGD sgd_a(std::vector<Tensor>{a}, SGDOptions(0.1).momentum(0.9));
  SGD sgd_b(std::vector<Tensor>{b}, SGDOptions(0.1).momentum(0.9));
  sgd_a.step();
  sgd_b.step();
  const auto& buffer = static_cast<SGDParamState&>(*sgd_a.state().at(a.impl())).momentum_buffer();
  CHECK(values(buffer) == values(g));  // the first step's buffer is the gradient
  Tensor(buffer).zero_();              // in place: the next step starts from a zero buffer
  sgd_a.step();
  sgd_b.step();
  // a: buffer 0 * 0.9 + g = g; b: g * 0.9 + g.
  CHECK(close(a, g * -0.1 + g * -0.1));
  CHECK(close(b, g * -0.1 + (g * 0.9 + g) * -0.1));
  CHECK_FALSE(close(a, b));
}

TEST_CASE("load_state_dict fills state() for the new optimizer's own parameters", "[optim][state]") {
  Tensor g = tensor({0.25, -1.0, 3.0}, kFloat64);
  Tensor w = param_with_grad(ones({3}, kFloat64), g);
  Adam trained(std::vector<Tensor>{w}, AdamOptions(0.01).amsgrad(true));
  trained.step();
  trained.step();

  Tensor w2 = w.detach().clone().requires_grad_(true);
  Adam resumed(std::vector<Tensor>{w2}, AdamOptions(0.01).amsgrad(true));
  resumed.load_state_dict(trained.state_dict());
  REQUIRE(resumed.state().count(w2.impl()) == 1);
  const auto& before = static_cast<const AdamParamState&>(*trained.state().at(w.impl()));
  const auto& after = static_cast<const AdamParamState&>(*resumed.state().at(w2.impl()));
  CHECK(after.step() == 2);
  CHECK(values(after.exp_avg()) == values(before.exp_avg()));
  CHECK(values(after.max_exp_avg_sq()) == values(before.max_exp_avg_sq()));
  CHECK_FALSE(after.exp_avg().is_same(before.exp_avg()));  // a copy, not shared with the other optimizer
}
