// Float64 gradient checks for part A of nn: every layer with respect to its input and every
// parameter, the fused layer_norm and cross_entropy kernels, and the losses. One line per case.
#include <catch2/catch.hpp>
#include <functional>

#include "ag/ag.h"
#include "ag/nn/activation.h"
#include "ag/nn/container.h"
#include "ag/nn/dropout.h"
#include "ag/nn/embedding.h"
#include "ag/nn/functional/layer_norm.h"
#include "ag/nn/functional/linear.h"
#include "ag/nn/functional/loss.h"
#include "ag/nn/layer_norm.h"
#include "ag/nn/linear.h"

using namespace ag;
namespace F = ag::nn::functional;

namespace {

// Checks `forward(inputs)` with respect to the float64 inputs that require grad and every parameter.
// gradcheck perturbs what it is given in place, so the module reads its perturbed parameters itself.
void check_module(nn::Module& module, const std::vector<Tensor>& inputs,
                  const std::function<Tensor(const std::vector<Tensor>&)>& forward) {
  module.to(kFloat64);
  std::vector<Tensor> checked = inputs;
  for (const Tensor& p : module.parameters()) checked.push_back(p);
  auto result = gradcheck(forward, checked);
  INFO(result.message);
  CHECK(result.ok);
}

void check_fn(const std::function<Tensor(const std::vector<Tensor>&)>& fn, const std::vector<Tensor>& inputs) {
  auto result = gradcheck(fn, inputs);
  INFO(result.message);
  CHECK(result.ok);
}

Tensor rand64(const Shape& shape) { return randn(shape, kFloat64).requires_grad_(); }
Tensor ids(std::vector<int64_t> values, const Shape& shape) { return from_vector(values, shape); }

}  // namespace

TEST_CASE("gradcheck: layers, with respect to inputs and parameters", "[nn][gradcheck]") {
  manual_seed(11);
  SECTION("Linear") {
    nn::Linear fc(4, 3);
    check_module(*fc, {rand64({2, 3, 4})}, [&](auto& in) { return fc(in[0]); });
  }
  SECTION("Linear without bias") {
    nn::Linear fc(nn::LinearOptions(4, 3).bias(false));
    check_module(*fc, {rand64({5, 4})}, [&](auto& in) { return fc(in[0]); });
  }
  SECTION("Embedding (padding_idx set but absent: the padding row has no gradient by design)") {
    nn::Embedding emb(nn::EmbeddingOptions(6, 3).padding_idx(0));
    check_module(*emb, {ids({1, 5, 5, 2, 3, 1}, {2, 3})}, [&](auto& in) { return emb(in[0]); });
  }
  SECTION("LayerNorm") {
    nn::LayerNorm norm(Shape{5});
    check_module(*norm, {rand64({3, 5})}, [&](auto& in) { return norm(in[0]); });
  }
  SECTION("LayerNorm over two dims, no affine") {
    nn::LayerNorm norm(nn::LayerNormOptions({2, 3}).elementwise_affine(false));
    check_module(*norm, {rand64({4, 2, 3})}, [&](auto& in) { return norm(in[0]); });
  }
  SECTION("Dropout (the same mask on every call: reseeded)") {
    nn::Dropout drop(0.4);
    check_module(*drop, {rand64({4, 5})}, [&](auto& in) {
      manual_seed(7);
      return drop(in[0]);
    });
  }
  SECTION("ReLU and GELU in a Sequential of Linears") {
    nn::Sequential mlp(nn::Linear(3, 5), nn::GELU(), nn::Linear(5, 4), nn::ReLU(),
                       nn::GELU(nn::GELUOptions().approximate("tanh")));
    check_module(*mlp, {rand64({2, 3})}, [&](auto& in) { return mlp(in[0]); });
  }
}

TEST_CASE("gradcheck: functional forms and fused kernels", "[nn][gradcheck]") {
  manual_seed(12);
  Tensor ce_target = ids({0, 3, -100, 2, 1, -100}, {6});
  Tensor spatial_target = ids({1, -100, 0, 2, 2, 1}, {2, 3});
  check_fn([](auto& in) { return F::linear(in[0], in[1], in[2]); }, {rand64({2, 4}), rand64({3, 4}), rand64({3})});
  check_fn([](auto& in) { return F::layer_norm(in[0], {4}, in[1], in[2]); }, {rand64({3, 4}), rand64({4}), rand64({4})});
  check_fn([](auto& in) { return F::layer_norm(in[0], {4}, Tensor(), in[1], 1e-3); }, {rand64({2, 4}), rand64({4})});
  for (const char* reduction : {"mean", "sum", "none"}) {
    INFO(reduction);
    check_fn([&](auto& in) { return F::cross_entropy(in[0], ce_target, -100, 0.15, reduction); }, {rand64({6, 4})});
    check_fn([&](auto& in) { return F::cross_entropy(in[0], spatial_target, -100, 0.3, reduction); },
             {rand64({2, 3, 3})});
    check_fn([&](auto& in) { return F::nll_loss(in[0].log_softmax(1), ce_target, -100, reduction); }, {rand64({6, 4})});
    check_fn([&](auto& in) { return F::mse_loss(in[0], in[1], reduction); }, {rand64({3, 2}), rand64({3, 2})});
  }
  check_fn([&](auto& in) { return F::cross_entropy(in[0], ids({2, 0, 2, 1}, {4}), 2, 0.0, "mean"); }, {rand64({4, 3})});
}
