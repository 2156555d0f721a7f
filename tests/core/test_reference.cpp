// Golden values from PyTorch (tests/reference/make_core_fixtures.py): outputs and input gradients.
//
// Tolerance: float32 rtol 1e-5 with atol 1e-6. Both sides compute the same formulas in float32,
// but BLAS builds and reductions sum in different orders, which moves the last bits.
#include "fixture.h"

using namespace ag;
using ag::test::load_fixture;
using ag::test::require_close;

namespace {
Tensor leaf(const Tensor& t) { return t.detach().clone().requires_grad_(); }
}  // namespace

TEST_CASE("matmul with broadcast batch dims matches PyTorch", "[reference]") {
  auto f = load_fixture("core_ops.json");
  Tensor a = leaf(f.at("mm_a")), b = leaf(f.at("mm_b"));
  Tensor out = matmul(a, b);
  require_close(out, f.at("mm_out"), 1e-5, 1e-6, "matmul output");
  (out * f.at("mm_proj")).sum().backward();
  require_close(a.grad(), f.at("mm_grad_a"), 1e-5, 1e-5, "grad a");
  require_close(b.grad(), f.at("mm_grad_b"), 1e-5, 1e-5, "grad b");
}

TEST_CASE("softmax and log_softmax match PyTorch", "[reference]") {
  auto f = load_fixture("core_ops.json");
  for (std::string name : {"softmax", "log_softmax"}) {
    Tensor x = leaf(f.at(name + "_x"));
    Tensor y = name == "softmax" ? softmax(x, 1) : log_softmax(x, 1);
    require_close(y, f.at(name + "_out"), 1e-5, 1e-6, name);
    (y * f.at(name + "_proj")).sum().backward();
    require_close(x.grad(), f.at(name + "_grad"), 1e-5, 1e-6, name + " grad");
  }
}

TEST_CASE("gelu (erf and tanh forms) matches PyTorch", "[reference]") {
  auto f = load_fixture("core_ops.json");
  for (std::string approx : {"none", "tanh"}) {
    Tensor x = leaf(f.at("gelu_" + approx + "_x"));
    Tensor y = gelu(x, approx);
    require_close(y, f.at("gelu_" + approx + "_out"), 1e-5, 1e-6, "gelu " + approx);
    y.sum().backward();
    require_close(x.grad(), f.at("gelu_" + approx + "_grad"), 1e-5, 1e-6, "gelu grad " + approx);
  }
}

TEST_CASE("fused softmax equals its composed twin exp(x - max) / sum", "[reference]") {
  manual_seed(5);
  Tensor x = (randn({4, 7}, kFloat64) * 3.0).detach().requires_grad_();
  Tensor shifted = x - std::get<0>(max(x, 1, true)).detach();
  Tensor composed = exp(shifted) / sum(exp(shifted), {1}, true);
  Tensor fused = softmax(x, 1);
  CHECK(allclose(fused, composed, 1e-12, 1e-14));
  Tensor proj = randn({4, 7}, kFloat64);
  (fused * proj).sum().backward();
  Tensor grad_fused = x.grad().clone();
  x.mutable_grad() = Tensor();
  (composed * proj).sum().backward();
  CHECK(allclose(grad_fused, x.grad(), 1e-10, 1e-12));
  Tensor log_composed = shifted - log(sum(exp(shifted), {1}, true));
  CHECK(allclose(log_softmax(x, 1), log_composed, 1e-12, 1e-14));
}
