// Every differentiable op proves its gradient: a float64 central-difference check, one line per op.
#include <catch2/catch.hpp>

#include "ag/ag.h"

using namespace ag;
using Inputs = std::vector<Tensor>;
using Fn = std::function<Tensor(const Inputs&)>;

namespace {

Tensor leaf(const Shape& shape, double lo = -1.0, double hi = 1.0) {
  Tensor t = rand(shape, kFloat64) * (hi - lo) + lo;
  return t.detach().requires_grad_();
}
Tensor positive(const Shape& shape) { return leaf(shape, 0.5, 2.0); }
// Values kept away from a kink (relu, abs, clamp at +-0.5) so finite differences stay on one side.
Tensor away_from_kinks(const Shape& shape) {
  Tensor t = leaf(shape, 0.1, 1.0) * where(gt(rand(shape, kFloat64), full({}, 0.5, kFloat64)), full({}, 1.0, kFloat64), full({}, -1.0, kFloat64));
  return t.detach().requires_grad_();
}

struct Case {
  const char* name;
  Fn fn;
  std::function<Inputs()> inputs;
};

const Tensor mask23 = from_vector(std::vector<bool>{true, false, true, false, false, true}, {2, 3});
const Tensor index4 = from_vector(std::vector<int64_t>{2, 0, 2, 1}, {4});

std::vector<Case> cases() {
  return {
      // elementwise, with broadcasting
      {"add", [](const Inputs& x) { return x[0] + x[1]; }, [] { return Inputs{leaf({2, 3}), leaf({3})}; }},
      {"add alpha", [](const Inputs& x) { return add(x[0], x[1], 0.5); }, [] { return Inputs{leaf({2, 1}), leaf({1, 3})}; }},
      {"sub", [](const Inputs& x) { return x[0] - x[1]; }, [] { return Inputs{leaf({4, 1, 3}), leaf({2, 1})}; }},
      {"mul", [](const Inputs& x) { return x[0] * x[1]; }, [] { return Inputs{leaf({2, 3}), leaf({2, 1})}; }},
      {"div", [](const Inputs& x) { return x[0] / x[1]; }, [] { return Inputs{leaf({2, 3}), positive({3})}; }},
      {"scalar ops", [](const Inputs& x) { return (2.0 - x[0] * 3.0 + 1.5) / 4.0; }, [] { return Inputs{leaf({5})}; }},
      {"scalar div", [](const Inputs& x) { return 2.0 / x[0]; }, [] { return Inputs{positive({5})}; }},
      {"neg", [](const Inputs& x) { return -x[0]; }, [] { return Inputs{leaf({3})}; }},
      {"exp", [](const Inputs& x) { return exp(x[0]); }, [] { return Inputs{leaf({2, 3})}; }},
      {"log", [](const Inputs& x) { return log(x[0]); }, [] { return Inputs{positive({2, 3})}; }},
      {"sqrt", [](const Inputs& x) { return sqrt(x[0]); }, [] { return Inputs{positive({4})}; }},
      {"rsqrt", [](const Inputs& x) { return rsqrt(x[0]); }, [] { return Inputs{positive({4})}; }},
      {"pow scalar", [](const Inputs& x) { return pow(x[0], 3.0); }, [] { return Inputs{leaf({4})}; }},
      {"pow tensor", [](const Inputs& x) { return pow(x[0], x[1]); }, [] { return Inputs{positive({2, 3}), leaf({3})}; }},
      {"abs", [](const Inputs& x) { return abs(x[0]); }, [] { return Inputs{away_from_kinks({6})}; }},
      {"tanh", [](const Inputs& x) { return tanh(x[0]); }, [] { return Inputs{leaf({2, 3})}; }},
      {"sigmoid", [](const Inputs& x) { return sigmoid(x[0]); }, [] { return Inputs{leaf({2, 3})}; }},
      {"relu", [](const Inputs& x) { return relu(x[0]); }, [] { return Inputs{away_from_kinks({6})}; }},
      {"gelu erf", [](const Inputs& x) { return gelu(x[0]); }, [] { return Inputs{leaf({6}, -3, 3)}; }},
      {"gelu tanh", [](const Inputs& x) { return gelu(x[0], "tanh"); }, [] { return Inputs{leaf({6}, -3, 3)}; }},
      {"clamp", [](const Inputs& x) { return clamp(x[0], -0.5, 0.5); }, [] { return Inputs{(away_from_kinks({8}) * 0.45).detach().requires_grad_()}; }},
      {"where", [](const Inputs& x) { return where(mask23, x[0], x[1]); }, [] { return Inputs{leaf({2, 3}), leaf({3})}; }},
      {"masked_fill", [](const Inputs& x) { return masked_fill(x[0], mask23, -2.0); }, [] { return Inputs{leaf({2, 3})}; }},
      // reductions
      {"sum all", [](const Inputs& x) { return sum(x[0]); }, [] { return Inputs{leaf({2, 3})}; }},
      {"sum dims keepdim", [](const Inputs& x) { return sum(x[0], {0, 2}, true); }, [] { return Inputs{leaf({2, 3, 4})}; }},
      {"sum middle", [](const Inputs& x) { return sum(x[0], {1}); }, [] { return Inputs{leaf({2, 3, 4})}; }},
      {"mean", [](const Inputs& x) { return mean(x[0], {-1}); }, [] { return Inputs{leaf({3, 4})}; }},
      {"var", [](const Inputs& x) { return var(x[0], {1}); }, [] { return Inputs{leaf({3, 4})}; }},
      {"var biased", [](const Inputs& x) { return var(x[0], {0, 1}, false, true); }, [] { return Inputs{leaf({3, 4})}; }},
      {"max dim", [](const Inputs& x) { return std::get<0>(max(x[0], 1)); }, [] { return Inputs{leaf({3, 4})}; }},
      {"max all", [](const Inputs& x) { return max(x[0]); }, [] { return Inputs{leaf({3, 4})}; }},
      {"max dim 0 keepdim", [](const Inputs& x) { return std::get<0>(max(x[0], 0, true)); }, [] { return Inputs{leaf({3, 4})}; }},
      {"softmax last", [](const Inputs& x) { return softmax(x[0], -1); }, [] { return Inputs{leaf({3, 5})}; }},
      {"softmax dim 0", [](const Inputs& x) { return softmax(x[0], 0); }, [] { return Inputs{leaf({3, 2, 2})}; }},
      {"log_softmax", [](const Inputs& x) { return log_softmax(x[0], 1); }, [] { return Inputs{leaf({2, 4, 3})}; }},
      // matmul
      {"matmul 2d", [](const Inputs& x) { return matmul(x[0], x[1]); }, [] { return Inputs{leaf({3, 4}), leaf({4, 2})}; }},
      {"matmul transposed", [](const Inputs& x) { return matmul(x[0].t(), x[1].t()); }, [] { return Inputs{leaf({4, 3}), leaf({2, 4})}; }},
      {"matmul batched broadcast", [](const Inputs& x) { return matmul(x[0], x[1]); }, [] { return Inputs{leaf({2, 1, 3, 4}), leaf({3, 4, 2})}; }},
      {"matmul permuted (attention's layout)", [](const Inputs& x) { return matmul(matmul(x[0].permute({1, 2, 0, 3}), x[1].permute({1, 2, 3, 0})), x[2].permute({1, 2, 0, 3})); }, [] { return Inputs{leaf({4, 2, 3, 5}), leaf({6, 2, 3, 5}), leaf({6, 2, 3, 5})}; }},
      {"matmul folded", [](const Inputs& x) { return matmul(x[0], x[1]); }, [] { return Inputs{leaf({2, 3, 4}), leaf({4, 5})}; }},
      {"matmul vector", [](const Inputs& x) { return matmul(x[0], x[1]).sum() + matmul(x[1], x[2]).sum(); }, [] { return Inputs{leaf({3, 4}), leaf({4}), leaf({4, 2})}; }},
      {"addmm", [](const Inputs& x) { return addmm(x[0], x[1], x[2].t()); }, [] { return Inputs{leaf({2}), leaf({3, 4}), leaf({2, 4})}; }},
      {"addmm full bias", [](const Inputs& x) { return addmm(x[0], x[1], x[2]); }, [] { return Inputs{leaf({3, 2}), leaf({3, 4}), leaf({4, 2})}; }},
      {"dot", [](const Inputs& x) { return matmul(x[0], x[1]); }, [] { return Inputs{leaf({4}), leaf({4})}; }},
      // shape
      {"reshape", [](const Inputs& x) { return x[0].reshape({3, -1}) * x[1]; }, [] { return Inputs{leaf({2, 6}), leaf({4})}; }},
      {"reshape non-contiguous", [](const Inputs& x) { return x[0].t().reshape({-1}); }, [] { return Inputs{leaf({2, 3})}; }},
      {"transpose", [](const Inputs& x) { return x[0].transpose(0, 2) * x[1]; }, [] { return Inputs{leaf({2, 3, 4}), leaf({2})}; }},
      {"permute", [](const Inputs& x) { return x[0].permute({2, 0, 1}).contiguous(); }, [] { return Inputs{leaf({2, 3, 4})}; }},
      {"slice step", [](const Inputs& x) { return x[0].slice(1, 1, 6, 2); }, [] { return Inputs{leaf({2, 7})}; }},
      {"narrow", [](const Inputs& x) { return x[0].narrow(0, 1, 2); }, [] { return Inputs{leaf({4, 2})}; }},
      {"select", [](const Inputs& x) { return x[0].select(1, -1); }, [] { return Inputs{leaf({2, 3})}; }},
      {"unsqueeze squeeze", [](const Inputs& x) { return x[0].unsqueeze(1).squeeze(0); }, [] { return Inputs{leaf({1, 3})}; }},
      {"expand", [](const Inputs& x) { return x[0].expand({4, 2, 3}); }, [] { return Inputs{leaf({2, 1})}; }},
      {"cat", [](const Inputs& x) { return cat({x[0], x[1]}, 1); }, [] { return Inputs{leaf({2, 3}), leaf({2, 1})}; }},
      {"stack", [](const Inputs& x) { return stack({x[0], x[1]}, 1); }, [] { return Inputs{leaf({2, 3}), leaf({2, 3})}; }},
      {"split", [](const Inputs& x) { auto p = split(x[0], 2, 1); return p[0] * p[1] + p[2].sum(); }, [] { return Inputs{leaf({3, 6})}; }},
      {"chunk", [](const Inputs& x) { auto p = chunk(x[0], 2, 0); return p[0] - p[1]; }, [] { return Inputs{leaf({4, 3})}; }},
      {"clone", [](const Inputs& x) { return x[0].clone() * x[0]; }, [] { return Inputs{leaf({3})}; }},
      // indexing
      {"index_select", [](const Inputs& x) { return index_select(x[0], 1, index4); }, [] { return Inputs{leaf({2, 3, 2})}; }},
      {"embedding repeated rows", [](const Inputs& x) { return embedding(x[0], index4.reshape({2, 2})); }, [] { return Inputs{leaf({3, 4})}; }},
      {"gather", [](const Inputs& x) { return gather(x[0], 1, from_vector(std::vector<int64_t>{0, 2, 1, 1}, {2, 2})); }, [] { return Inputs{leaf({2, 3})}; }},
  };
}

}  // namespace

TEST_CASE("every differentiable op passes a float64 gradient check", "[gradcheck]") {
  manual_seed(7);
  for (const Case& c : cases()) {
    SECTION(c.name) {
      GradcheckResult result = gradcheck(c.fn, c.inputs());
      INFO(result.message);
      CHECK(result.ok);
    }
  }
}

TEST_CASE("dropout passes a gradient check with a fixed mask", "[gradcheck]") {
  Tensor x = leaf({4, 5});
  // The same seed before each call draws the same mask, so the function is deterministic.
  auto fn = [](const Inputs& in) { manual_seed(3); return dropout(in[0], 0.3, true); };
  GradcheckResult result = gradcheck(fn, {x});
  INFO(result.message);
  CHECK(result.ok);
}

TEST_CASE("gradcheck reports a wrong gradient with its index and both values", "[gradcheck]") {
  // x * detach(x): the true derivative is 2x, but backward only sees the first factor and gives x.
  auto wrong = [](const Inputs& in) { return (in[0] * in[0].detach()).sum(); };
  GradcheckResult result = gradcheck(wrong, {tensor({1.0, 2.0}, kFloat64).requires_grad_()});
  CHECK_FALSE(result.ok);
  // The scalar output is projected by one fixed weight w, so the values are w*x and w*2x.
  CHECK_THAT(result.message, Catch::Contains("input 0 (shape (2)), element (1)") && Catch::Contains("analytic gradient"));
  CHECK(result.max_error > 100);
}

TEST_CASE("gradcheck checks tensors the function reaches by itself, like a module's weights", "[gradcheck]") {
  Tensor weight = leaf({3, 2});
  Tensor x = leaf({4, 3});
  auto layer = [&](const Inputs& in) { return tanh(matmul(in[0], weight)); };  // weight not taken from `in`
  Tensor before = weight.clone();
  GradcheckResult result = gradcheck(layer, {x, weight});
  INFO(result.message);
  CHECK(result.ok);
  CHECK(allclose(weight, before, 0, 0));  // perturbations undone
  CHECK_FALSE(weight.grad().defined());  // grads restored
}

TEST_CASE("gradcheck refuses float32 inputs", "[gradcheck]") {
  CHECK_THROWS_WITH(gradcheck([](const Inputs& in) { return in[0]; }, {ones({2}, requires_grad())}),
                    Catch::Contains("must be a float64 leaf"));
}
