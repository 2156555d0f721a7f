// The snippets of docs/autograd.md, run: the worked example, an op of your own with its
// derivative, and watching the engine one node at a time.
#include <catch2/catch.hpp>
#include <cmath>

#include "ag/ag.h"
#include "ag/core/autograd/function.h"
#include "ag/core/autograd/step_hook.h"

using namespace ag;

namespace {

// cube(x) = x^3: a kernel for the forward, and record() with the derivative 3x^2 beside it.
Tensor cube(const Tensor& x) {
  const Tensor in = x.contiguous();
  Tensor out = empty(x.sizes(), kFloat64);
  for (int64_t i = 0; i < x.numel(); ++i) out.data_ptr<double>()[i] = std::pow(in.data_ptr<double>()[i], 3);
  return record("Cube", {x}, out, [saved = SavedTensor(x)](const Tensor& grad) {
    Tensor x = saved.unpack();
    return std::vector<Tensor>{grad * 3.0 * x * x};  // one gradient per input, in order
  });
}

}  // namespace

TEST_CASE("docs/autograd.md: the worked example", "[docs]") {
  ag::Tensor a = ag::tensor({1.0, 2.0}, ag::requires_grad());
  ag::Tensor b = ag::tensor({3.0, 4.0}, ag::requires_grad());
  ag::Tensor c = a * b + b;          // [6, 12]
  ag::Tensor loss = (c * c).sum();   // 36 + 144 = 180
  loss.backward();
  CHECK(loss.item() == 180.0);
  CHECK(a.grad().to_vector<float>() == std::vector<float>{36, 96});
  CHECK(b.grad().to_vector<float>() == std::vector<float>{24, 72});
}

TEST_CASE("docs/autograd.md: an op of your own", "[docs]") {
  Tensor x = tensor({1.0, -2.0, 0.5}, TensorOptions(kFloat64).requires_grad());
  cube(x).sum().backward();
  CHECK(x.grad().to_vector<double>() == std::vector<double>{3, 12, 0.75});  // 3x^2
  GradcheckResult check = gradcheck([](const std::vector<Tensor>& in) { return cube(in[0]); }, {x});
  CHECK(check.ok);
}

TEST_CASE("docs/autograd.md: watching the engine", "[docs]") {
  Tensor a = tensor({2.0}, requires_grad()), b = tensor({-3.0}, requires_grad());
  Tensor loss = (a * b).sum();
  std::vector<std::string> seen;
  {
    autograd::BackwardStepHookGuard watch([&](const autograd::BackwardStep& step) {
      seen.push_back(fmt::format("{} sends {} gradient(s)", step.node.name(), step.grad_inputs.size()));
    });
    loss.backward();
  }
  CHECK(seen == std::vector<std::string>{"SumBackward sends 1 gradient(s)", "MulBackward sends 2 gradient(s)",
                                         "AccumulateGrad sends 0 gradient(s)", "AccumulateGrad sends 0 gradient(s)"});
}
