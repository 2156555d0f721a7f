// The reference kernels (core/kernels/reference.h) against nn's fused ones: layer_norm and
// attention give the same values and gradients both ways, float64 to rounding and float32 to 1e-5,
// and so does a whole Transformer step in float64.
#include <catch2/catch.hpp>
#include <functional>

#include "ag/ag.h"
#include "ag/core/kernels/reference.h"
#include "ag/nn/functional/attention.h"
#include "ag/nn/functional/layer_norm.h"
#include "ag/nn/transformer.h"

using namespace ag;
namespace F = ag::nn::functional;

namespace {

std::vector<Tensor> run(const std::function<Tensor()>& f, const std::vector<Tensor>& inputs, bool reference) {
  ReferenceKernelsGuard kernels(reference);
  for (const Tensor& t : inputs) t.mutable_grad() = Tensor();
  Tensor out = f();
  manual_seed(7);
  (out * randn(out.sizes(), out.dtype())).sum().backward();
  std::vector<Tensor> results{out.detach()};
  for (const Tensor& t : inputs) results.push_back(t.grad());
  return results;
}

void check_agree(const std::function<Tensor()>& f, const std::vector<Tensor>& inputs, double rtol, double atol) {
  const std::vector<Tensor> fast = run(f, inputs, false), reference = run(f, inputs, true);
  for (size_t i = 0; i < fast.size(); ++i) {
    INFO((i == 0 ? std::string("the output") : "the gradient of input " + std::to_string(i - 1))
         << ": largest difference " << (fast[i] - reference[i]).abs().max().item());
    CHECK(allclose(fast[i], reference[i], rtol, atol));
  }
}

double rtol_for(Dtype dtype) { return dtype == kFloat64 ? 1e-12 : 1e-5; }
double atol_for(Dtype dtype) { return dtype == kFloat64 ? 1e-12 : 1e-6; }

}  // namespace

TEST_CASE("layer_norm: fast and reference kernels agree", "[reference-kernels]") {
  manual_seed(0);
  for (Dtype dtype : {kFloat64, kFloat32}) {
    INFO(dtype_name(dtype));
    Tensor x = (randn({6, 5, 48}, dtype) * 2.0 + 1.0).detach().requires_grad_();
    Tensor w = randn({48}, dtype).requires_grad_(), b = randn({48}, dtype).requires_grad_();
    check_agree([&] { return F::layer_norm(x, {48}, w, b); }, {x, w, b}, rtol_for(dtype), atol_for(dtype));
    check_agree([&] { return F::layer_norm(x, {5, 48}); }, {x}, rtol_for(dtype), atol_for(dtype));
  }
}

TEST_CASE("attention: fast and reference kernels agree, with masks and causality", "[reference-kernels]") {
  manual_seed(1);
  for (Dtype dtype : {kFloat64, kFloat32}) {
    INFO(dtype_name(dtype));
    Tensor q = randn({2, 3, 5, 8}, dtype).requires_grad_(), k = randn({2, 3, 7, 8}, dtype).requires_grad_();
    Tensor v = randn({2, 3, 7, 4}, dtype).requires_grad_();
    Tensor bias = randn({5, 7}, dtype).requires_grad_();  // a learned bias, broadcast over batch and heads
    Tensor padding = tensor({{0, 0, 0, 0, 0, 1, 1}}).to(kBool).reshape({1, 1, 1, 7});  // true: may attend
    const double r = rtol_for(dtype), a = atol_for(dtype);
    check_agree([&] { return F::scaled_dot_product_attention(q, k, v); }, {q, k, v}, r, a);
    check_agree([&] { return F::scaled_dot_product_attention(q, k, v, bias); }, {q, k, v, bias}, r, a);
    check_agree([&] { return F::scaled_dot_product_attention(q, k, v, padding); }, {q, k, v}, r, a);
    check_agree([&] { return F::scaled_dot_product_attention(q, k, v, {}, 0.0, /*is_causal=*/true); }, {q, k, v}, r, a);
  }
}

TEST_CASE("a Transformer step: fast and reference kernels agree in float64", "[reference-kernels]") {
  manual_seed(2);
  nn::Transformer model(nn::TransformerOptions(16, 4).num_encoder_layers(1).num_decoder_layers(1).dim_feedforward(32).dropout(0.0));
  model->to(kFloat64);
  Tensor src = randn({6, 2, 16}, kFloat64), tgt = randn({5, 2, 16}, kFloat64);
  Tensor mask = nn::generate_square_subsequent_mask(5, kFloat64);
  check_agree([&] { return model(src, tgt, Tensor(), mask); }, model->parameters(), 1e-10, 1e-10);
}
