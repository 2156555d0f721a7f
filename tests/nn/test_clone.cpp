// Module::clone() through nn::Cloneable: deep copies of Linear, Sequential, a Transformer and a
// user-defined module, whose tensors are independent of the original's.
#include <catch2/catch.hpp>

#include "ag/ag.h"

using namespace ag;

namespace {

std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }

// Same names, same values, same flags, but no tensor shared between the two modules.
void require_deep_copy(const nn::Module& original, const nn::Module& copy) {
  auto a = original.state_dict(), b = copy.state_dict();
  REQUIRE(a.size() == b.size());
  for (const auto& [name, t] : a) {
    INFO(name);
    REQUIRE(b.count(name) == 1);
    const Tensor& u = b.at(name);
    CHECK(u.dtype() == t.dtype());
    CHECK(values(u) == values(t));
    CHECK(u.impl()->storage != t.impl()->storage);
  }
  auto pa = original.named_parameters(), pb = copy.named_parameters();
  REQUIRE(pa.size() == pb.size());
  for (size_t i = 0; i < pa.size(); ++i) CHECK(pa[i].second.requires_grad() == pb[i].second.requires_grad());
}

// A user's module, libtorch style: everything registered in reset(), which the constructor calls.
struct ScaledMlpImpl : nn::Cloneable<ScaledMlpImpl> {
  explicit ScaledMlpImpl(int64_t d) : Cloneable("ScaledMlp"), d(d) { reset(); }
  void reset() override {
    body = register_module("body", nn::Sequential(nn::Linear(d, 2 * d), nn::ReLU(), nn::Linear(2 * d, d)));
    scale = register_parameter("scale", ones({d}));
    calls = register_buffer("calls", zeros({1}, kInt64));
  }
  Tensor forward(const Tensor& x) { return body(x) * scale; }
  int64_t d;
  nn::Sequential body{nullptr};
  Tensor scale, calls;
};
AG_MODULE(ScaledMlp);

struct NotCloneableImpl : nn::Module {
  NotCloneableImpl() : Module("NotCloneable") { register_parameter("w", zeros({2})); }
};

}  // namespace

TEST_CASE("A cloned Linear has its own parameters with the same values and flags", "[nn][clone]") {
  nn::Linear fc(4, 3);
  fc->bias.requires_grad_(false);
  auto copy = std::dynamic_pointer_cast<nn::LinearImpl>(fc->clone());
  REQUIRE(copy != nullptr);
  require_deep_copy(*fc, *copy);
  CHECK(copy->options.in_features() == 4);
  // The clone's members are its registered tensors, and changing them leaves the original alone.
  CHECK(copy->weight.is_same(copy->named_parameters()[0].second));
  const std::vector<double> before = values(fc->weight);
  {
    NoGradGuard no_grad;
    copy->weight.fill_(7.0);
  }
  CHECK(values(fc->weight) == before);
  // The typed helper gives the holder type.
  nn::Linear typed = nn::clone(fc);
  Tensor x = randn({2, 4});
  CHECK(values(typed(x)) == values(fc(x)));
}

TEST_CASE("Cloning a Sequential clones each layer and keeps eval mode", "[nn][clone]") {
  nn::Sequential mlp(nn::Linear(4, 8), nn::ReLU(), nn::Dropout(0.5), nn::Linear(8, 2));
  mlp->eval();
  nn::Sequential copy = nn::clone(mlp);
  require_deep_copy(*mlp, *copy);
  CHECK_FALSE(copy->is_training());
  CHECK_FALSE(copy->ptr(2)->is_training());
  Tensor x = randn({3, 4});
  CHECK(values(copy(x)) == values(mlp(x)));  // dropout off in both
  {
    NoGradGuard no_grad;
    copy->ptr<nn::LinearImpl>(3)->bias.fill_(100.0);
  }
  CHECK(values(copy(x)) != values(mlp(x)));
}

TEST_CASE("A cloned Transformer computes the same outputs from independent tensors", "[nn][clone]") {
  manual_seed(8);
  nn::Transformer model(nn::TransformerOptions(8, 2).num_encoder_layers(2).num_decoder_layers(1).dim_feedforward(16));
  model->to(kFloat64);
  model->eval();
  const std::string global_before = default_generator().state();
  nn::Transformer copy = nn::clone(model);
  CHECK(default_generator().state() == global_before);  // cloning drew no global random numbers
  require_deep_copy(*model, *copy);
  Tensor src = randn({5, 2, 8}, kFloat64), tgt = randn({4, 2, 8}, kFloat64);
  Tensor mask = nn::TransformerImpl::generate_square_subsequent_mask(4, kFloat64);
  CHECK(values(copy(src, tgt, Tensor(), mask)) == values(model(src, tgt, Tensor(), mask)));
  // Training the clone leaves the original as it was.
  const std::vector<double> before = values(model->encoder->layers->ptr<nn::TransformerEncoderLayerImpl>(1)
                                                ->self_attn->in_proj_weight);
  copy(src, tgt).sum().backward();
  CHECK_FALSE(model->parameters()[0].grad().defined());
  {
    NoGradGuard no_grad;
    for (Tensor& p : copy->parameters()) p.add_(p.grad(), -0.1);
  }
  CHECK(values(model->encoder->layers->ptr<nn::TransformerEncoderLayerImpl>(1)->self_attn->in_proj_weight) == before);
}

TEST_CASE("A user-defined Cloneable module clones its parameters, buffers and submodules", "[nn][clone]") {
  ScaledMlp mlp(3);
  {
    NoGradGuard no_grad;
    mlp->scale.fill_(2.0);
    mlp->calls.fill_(5);
  }
  ScaledMlp copy = nn::clone(mlp);
  require_deep_copy(*mlp, *copy);
  CHECK(copy->d == 3);
  CHECK(copy->calls.item() == 5);
  CHECK(copy->scale.is_same(copy->named_parameters().front().second));  // "scale" comes first
  Tensor x = randn({2, 3});
  CHECK(values(copy(x)) == values(mlp(x)));
}

TEST_CASE("clone() on a module that is not Cloneable says how to make it one", "[nn][clone]") {
  auto module = std::make_shared<NotCloneableImpl>();
  CHECK_THROWS_WITH(module->clone(), Catch::Contains("derive it from nn::Cloneable<NotCloneableImpl>"));
}
