// Layers: Linear, Embedding, LayerNorm, Dropout, ReLU, GELU and init, against PyTorch's golden
// values (tests/reference/make_nn_fixtures.py) and against their own promises.
#include <catch2/catch.hpp>
#include <cmath>

#include "ag/ag.h"
#include "fixture.h"
#include "ag/nn/activation.h"
#include "ag/nn/container.h"
#include "ag/nn/dropout.h"
#include "ag/nn/embedding.h"
#include "ag/nn/functional/layer_norm.h"
#include "ag/nn/functional/linear.h"
#include "ag/nn/init.h"
#include "ag/nn/layer_norm.h"
#include "ag/nn/linear.h"

using namespace ag;
namespace F = ag::nn::functional;

namespace {

// Float32 tolerances against PyTorch: the same math summed in a different order (OpenBLAS's
// blocking, our row loops vs ATen's vectorised reductions) differs by a few ulps per term, so
// 1e-4 relative; the 1e-6 absolute floor covers values that cancel to near zero.
constexpr double kRtol = 1e-4, kAtol = 1e-6;

// Loads the fixture's weights into `module` by name, runs it, backpropagates (out * proj).sum()
// and compares the output, the input's gradient and every parameter's gradient with PyTorch's.
template <typename Holder>
void check_against_pytorch(Holder& module, const std::string& file) {
  auto fixture = test::load_fixture(file);
  std::map<std::string, Tensor> state;
  for (const auto& [name, t] : module->state_dict()) state[name] = fixture.at(name);
  module->load_state_dict(state);
  Tensor x = fixture.at("input");
  if (is_floating(x.dtype())) x.requires_grad_();
  Tensor out = module(x);
  test::require_close(out, fixture.at("output"), kRtol, kAtol, file + " output");
  (out * fixture.at("proj")).sum().backward();
  if (x.requires_grad()) test::require_close(x.grad(), fixture.at("grad.input"), kRtol, kAtol, file + " grad.input");
  for (const auto& [name, p] : module->named_parameters())
    test::require_close(p.grad(), fixture.at("grad." + name), kRtol, kAtol, file + " grad." + name);
}

}  // namespace

TEST_CASE("Linear, Embedding and LayerNorm match PyTorch's outputs and gradients", "[nn][golden]") {
  nn::Linear linear(5, 4);
  check_against_pytorch(linear, "nn_linear.json");
  nn::Embedding embedding(nn::EmbeddingOptions(10, 4).padding_idx(1));
  check_against_pytorch(embedding, "nn_embedding.json");
  nn::LayerNorm norm(Shape{6});
  check_against_pytorch(norm, "nn_layer_norm.json");
  nn::LayerNorm norm2d(nn::LayerNormOptions({3, 4}).eps(1e-6));
  check_against_pytorch(norm2d, "nn_layer_norm_2d.json");
}

TEST_CASE("Linear has PyTorch's layout, default init and printout", "[nn][layers]") {
  manual_seed(3);
  nn::Linear fc(16, 3);
  CHECK(fc->weight.sizes() == Shape{3, 16});
  CHECK(fc->bias.sizes() == Shape{3});
  const double bound = 1.0 / std::sqrt(16.0);  // kaiming_uniform_(a = sqrt(5)) on fan_in 16
  for (const Tensor& p : fc->parameters()) {
    CHECK(p.abs().max().item() <= bound);
    CHECK(p.abs().max().item() > 0.5 * bound);
  }
  manual_seed(3);
  nn::Linear again(16, 3);
  CHECK(allclose(again->weight, fc->weight));  // drawn from ag's seeded generator
  CHECK(fc(zeros({2, 7, 16})).sizes() == Shape{2, 7, 3});
  CHECK(fc->to_string() == "Linear(in_features=16, out_features=3, bias=true)");

  nn::Linear no_bias(nn::LinearOptions(4, 2).bias(false));
  CHECK_FALSE(no_bias->bias.defined());
  CHECK(no_bias->named_parameters().size() == 1);
  CHECK(allclose(no_bias(ones({1, 4})), F::linear(ones({1, 4}), no_bias->weight)));
  CHECK_THROWS_WITH(fc(zeros({2, 5})), Catch::Contains("linear: input (2, 5) has 5 features in its last dim but "
                                                       "weight (3, 16) expects in_features = 16"));
  CHECK_THROWS_WITH(F::linear(zeros({2, 4}), zeros({3, 4}), zeros({4})), Catch::Contains("bias must have shape (3)"));
  CHECK_THROWS_WITH(nn::Linear(0, 3), Catch::Contains("must be positive"));
}

TEST_CASE("Embedding: N(0,1) init, padding row zero and without gradient", "[nn][layers]") {
  manual_seed(0);
  nn::Embedding emb(nn::EmbeddingOptions(200, 50).padding_idx(-1));
  CHECK(*emb->options.padding_idx() == 199);
  Tensor w = emb->weight;
  CHECK(w.select(0, 199).abs().sum().item() == 0.0);
  CHECK(std::abs(w.mean().item()) < 0.05);
  CHECK(std::abs(w.var({0, 1}).item() - 1.0) < 0.05);
  CHECK(emb->to_string() == "Embedding(200, 50, padding_idx=199)");

  Tensor idx = tensor({{199, 4, 4}, {199, 0, 199}}, kInt64);
  Tensor out = emb(idx);
  CHECK(out.sizes() == Shape{2, 3, 50});
  out.sum().backward();
  CHECK(w.grad().select(0, 199).abs().sum().item() == 0.0);
  CHECK(w.grad().select(0, 4).sum().item() == 100.0);  // used twice: the gradients add
  CHECK(w.grad().select(0, 0).sum().item() == 50.0);
  CHECK_THROWS_WITH(emb(tensor({200}, kInt64)), Catch::Contains("index 200 is out of range"));
  CHECK_THROWS_WITH(nn::Embedding(nn::EmbeddingOptions(5, 2).padding_idx(5)), Catch::Contains("padding_idx 5"));
}

TEST_CASE("fused layer_norm matches the composed formula, forward and backward", "[nn][layers]") {
  manual_seed(1);
  for (bool affine : {true, false}) {
    Tensor x = (randn({4, 3, 8}, kFloat64) * 3.0 + 2.0).requires_grad_();
    Tensor w = affine ? randn({3, 8}, kFloat64).requires_grad_() : Tensor();
    Tensor b = affine ? randn({3, 8}, kFloat64).requires_grad_() : Tensor();
    Tensor proj = randn({4, 3, 8}, kFloat64);
    std::vector<Tensor> leaves = affine ? std::vector<Tensor>{x, w, b} : std::vector<Tensor>{x};

    Tensor fused = F::layer_norm(x, {3, 8}, w, b, 1e-5);
    (fused * proj).sum().backward();
    std::vector<Tensor> fused_grads;
    for (Tensor& t : leaves) fused_grads.push_back(t.grad()), t.mutable_grad() = Tensor();

    Tensor mean = x.mean({1, 2}, true);
    Tensor composed = (x - mean) / (x.var({1, 2}, false, true) + 1e-5).sqrt();
    if (affine) composed = composed * w + b;
    (composed * proj).sum().backward();
    test::require_close(fused, composed, 1e-12, 1e-12, "layer_norm output");
    for (size_t i = 0; i < leaves.size(); ++i)
      test::require_close(fused_grads[i], leaves[i].grad(), 1e-10, 1e-12, fmt::format("layer_norm grad {}", i));
  }
}

TEST_CASE("LayerNorm: ones and zeros init, options, errors", "[nn][layers]") {
  nn::LayerNorm norm(nn::LayerNormOptions({4}).eps(1e-6));
  CHECK(allclose(norm->weight, ones({4})));
  CHECK(allclose(norm->bias, zeros({4})));
  CHECK(norm->to_string() == "LayerNorm((4), eps=1e-06, elementwise_affine=true)");
  Tensor y = norm(tensor({{1, 2, 3, 4}, {-1, -1, 1, 1}}));
  CHECK(y.mean({1}).abs().max().item() < 1e-6);
  nn::LayerNorm plain(nn::LayerNormOptions({4}).elementwise_affine(false));
  CHECK(plain->parameters().empty());
  CHECK(allclose(plain(tensor({{1, 2, 3, 4}})), y.select(0, 0).unsqueeze(0)));
  CHECK_THROWS_WITH(norm(zeros({2, 5})), Catch::Contains("input of shape (2, 5) does not end with normalized_shape (4)"));
  CHECK_THROWS_WITH(F::layer_norm(zeros({2, 4}), {4}, zeros({3})), Catch::Contains("weight has shape (3)"));
  CHECK_THROWS_WITH(F::layer_norm(zeros({2, 4}), {4}, zeros({4}, kFloat64)), Catch::Contains("weight is float64"));
}

TEST_CASE("Dropout drops while training and is the identity in eval", "[nn][layers]") {
  manual_seed(2);
  nn::Dropout drop(0.25);
  CHECK(drop->to_string() == "Dropout(p=0.25)");
  Tensor x = ones({20000});
  Tensor y = drop(x);
  double kept = (y.sum() / (1 / 0.75)).item();
  CHECK(std::abs(kept / 20000 - 0.75) < 0.02);
  CHECK(allclose(y.max().reshape({1}), full({1}, 1 / 0.75)));
  drop->eval();
  CHECK(allclose(drop(x), x));
  CHECK_THROWS_WITH(nn::Dropout(1.5), Catch::Contains("p must be in [0, 1], got 1.5"));
}

TEST_CASE("ReLU and GELU modules apply the core activations", "[nn][layers]") {
  Tensor x = tensor({-2.0, -0.5, 0.0, 0.5, 2.0});
  CHECK(allclose(nn::ReLU()(x), relu(x)));
  CHECK(allclose(nn::GELU()(x), gelu(x)));
  nn::GELU tanh_gelu(nn::GELUOptions().approximate("tanh"));
  CHECK(allclose(tanh_gelu(x), gelu(x, "tanh")));
  nn::Sequential mlp(nn::Linear(3, 4), nn::ReLU(), nn::Dropout(0.1), tanh_gelu);
  CHECK(mlp->to_string() ==
        "Sequential(\n"
        "  (0): Linear(in_features=3, out_features=4, bias=true)\n"
        "  (1): ReLU()\n"
        "  (2): Dropout(p=0.1)\n"
        "  (3): GELU(approximate='tanh')\n"
        ")");
  CHECK_THROWS_WITH(nn::GELU(nn::GELUOptions().approximate("fast")), Catch::Contains("\"none\" or \"tanh\""));
}

TEST_CASE("init follows torch.nn.init's formulas", "[nn][init]") {
  manual_seed(4);
  Tensor w = empty({300, 200});
  CHECK(nn::init::calculate_fan_in_and_fan_out(empty({8, 3, 5})) == std::pair<int64_t, int64_t>{15, 40});
  CHECK(nn::init::calculate_gain("relu") == Approx(std::sqrt(2.0)));
  CHECK(nn::init::calculate_gain("leaky_relu", std::sqrt(5.0)) == Approx(std::sqrt(1.0 / 3.0)));
  CHECK(nn::init::calculate_gain("tanh") == Approx(5.0 / 3.0));

  const double xavier_bound = std::sqrt(6.0 / 500.0);
  nn::init::xavier_uniform_(w);
  CHECK(w.abs().max().item() <= xavier_bound);
  CHECK(w.abs().max().item() > 0.99 * xavier_bound);
  nn::init::xavier_normal_(w, 2.0);
  CHECK(std::sqrt(w.var({0, 1}).item()) == Approx(2.0 * std::sqrt(2.0 / 500.0)).epsilon(0.02));
  nn::init::kaiming_uniform_(w, 0.0, "fan_out", "relu");
  CHECK(w.abs().max().item() <= std::sqrt(6.0 / 300.0));
  CHECK(w.abs().max().item() > 0.99 * std::sqrt(6.0 / 300.0));
  nn::init::kaiming_normal_(w, 0.0, "fan_in", "relu");
  CHECK(std::sqrt(w.var({0, 1}).item()) == Approx(std::sqrt(2.0 / 200.0)).epsilon(0.02));
  nn::init::constant_(w, 0.5);
  CHECK(w.sum().item() == Approx(30000.0));

  Tensor p = zeros({3}, requires_grad());  // works on a parameter: fills under NoGradGuard
  nn::init::ones_(p);
  CHECK(p.sum().item() == 3.0);
  CHECK_THROWS_WITH(nn::init::xavier_uniform_(empty({5})), Catch::Contains("at least 2 dims, got shape (5)"));
  CHECK_THROWS_WITH(nn::init::kaiming_uniform_(w, 0.0, "fan_avg"), Catch::Contains("\"fan_in\" or \"fan_out\""));
  CHECK_THROWS_WITH(nn::init::calculate_gain("swish"), Catch::Contains("unknown nonlinearity \"swish\""));
}
