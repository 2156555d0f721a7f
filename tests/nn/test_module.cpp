// Module system: registration, dotted names, train/eval, zero_grad, state_dict, printing, containers.
#include <catch2/catch.hpp>
#include <sstream>

#include "ag/ag.h"
#include "ag/nn/container.h"
#include "ag/nn/module.h"

using namespace ag;

namespace {

// A leaf with one parameter and one buffer.
struct ScaleImpl : nn::Module {
  explicit ScaleImpl(int64_t d) : Module("Scale") {
    weight = register_parameter("weight", ones({d}));
    count = register_buffer("count", zeros({1}, kInt64));
  }
  Tensor forward(const Tensor& x) { return x * weight; }
  std::string extra_repr() const override { return fmt::format("d={}", weight.size(0)); }
  Tensor weight, count;
};
AG_MODULE(Scale);

// Nested: own parameter, a holder child and a list of children.
struct BlockImpl : nn::Module {
  BlockImpl() : Module("Block") {
    bias = register_parameter("bias", zeros({3}));
    first = register_module("first", Scale(3));
    layers = register_module("layers", nn::ModuleList(Scale(3), Scale(3)));
  }
  Tensor forward(const Tensor& x) {
    Tensor y = first(x);
    for (size_t i = 0; i < layers->size(); ++i) y = layers->at<ScaleImpl>(i).forward(y);
    return y + bias;
  }
  Tensor bias;
  Scale first{nullptr};
  nn::ModuleList layers{nullptr};
};
AG_MODULE(Block);

std::vector<std::string> names_of(const std::vector<std::pair<std::string, Tensor>>& named) {
  std::vector<std::string> names;
  for (const auto& [name, t] : named) names.push_back(name);
  return names;
}

}  // namespace

TEST_CASE("named_parameters gives dotted names in registration order", "[nn][module]") {
  Block block;
  CHECK(names_of(block->named_parameters()) ==
        std::vector<std::string>{"bias", "first.weight", "layers.0.weight", "layers.1.weight"});
  CHECK(names_of(block->named_parameters(false)) == std::vector<std::string>{"bias"});
  CHECK(names_of(block->named_buffers()) ==
        std::vector<std::string>{"first.count", "layers.0.count", "layers.1.count"});
  CHECK(block->num_parameters() == 12);
  CHECK(block->parameters().size() == 4);
  for (const Tensor& p : block->parameters()) CHECK(p.requires_grad());

  std::vector<std::string> modules;
  for (const auto& [name, m] : block->named_modules()) modules.push_back(name + ":" + m->type_name());
  CHECK(modules == std::vector<std::string>{":Block", "first:Scale", "layers:ModuleList", "layers.0:Scale",
                                            "layers.1:Scale"});
  CHECK(block->named_children().size() == 2);
  CHECK(block->named_modules()[0].second.get() == block.get());
}

TEST_CASE("a parameter shared by two modules is listed once but saved under both names", "[nn][module]") {
  nn::ModuleList list;
  Scale shared(2);
  list->push_back(shared);
  list->push_back(shared);
  CHECK(list->parameters().size() == 1);
  CHECK(list->named_modules().size() == 2);
  auto state = list->state_dict();
  CHECK(state.count("0.weight") == 1);
  CHECK(state.count("1.weight") == 1);
}

TEST_CASE("train and eval reach every submodule", "[nn][module]") {
  Block block;
  CHECK(block->is_training());
  block->eval();
  for (const auto& [name, m] : block->named_modules()) CHECK_FALSE(m->is_training());
  block->train();
  for (const auto& [name, m] : block->named_modules()) CHECK(m->is_training());
}

TEST_CASE("zero_grad drops or zeroes every gradient", "[nn][module]") {
  Block block;
  block(ones({2, 3})).sum().backward();
  for (const Tensor& p : block->parameters()) REQUIRE(p.grad().defined());
  block->zero_grad(false);
  for (const Tensor& p : block->parameters()) CHECK(p.grad().abs().sum().item() == 0.0);
  block->zero_grad();
  for (const Tensor& p : block->parameters()) CHECK_FALSE(p.grad().defined());
}

TEST_CASE("state_dict round trip copies values into the existing tensors", "[nn][module]") {
  manual_seed(0);
  Block source, target;
  {
    NoGradGuard no_grad;
    for (const Tensor& p : source->parameters()) Tensor(p).normal_();
  }
  Tensor held = target->first->weight;  // a handle taken before loading sees the new values
  auto state = source->state_dict();
  CHECK(state.size() == 7);
  CHECK_FALSE(state.at("bias").requires_grad());
  target->load_state_dict(state);
  for (const auto& [name, t] : target->state_dict()) CHECK(allclose(t, state.at(name)));
  CHECK(allclose(held, source->first->weight));
  CHECK(held.requires_grad());
  CHECK(allclose(target(ones({2, 3})), source(ones({2, 3}))));
}

TEST_CASE("load_state_dict names every missing, unexpected and mis-shaped key", "[nn][module]") {
  Block block;
  auto state = block->state_dict();
  state.erase("first.weight");
  state.erase("layers.1.count");
  state["layers.0.weight"] = zeros({4});
  state["decoder.weight"] = zeros({1});
  Tensor before = block->bias.clone();
  state["bias"] = ones({3});
  try {
    block->load_state_dict(state);
    FAIL("expected ag::Error");
  } catch (const Error& e) {
    std::string msg = e.what();
    CHECK_THAT(msg, Catch::Contains("4 problems loading into Block"));
    CHECK_THAT(msg, Catch::Contains("missing key first.weight (shape (3))"));
    CHECK_THAT(msg, Catch::Contains("missing key layers.1.count"));
    CHECK_THAT(msg, Catch::Contains("size mismatch for layers.0.weight: the state has shape (4) but the module has (3)"));
    CHECK_THAT(msg, Catch::Contains("unexpected key decoder.weight"));
  }
  CHECK(allclose(block->bias, before));  // nothing was copied

  // Non-strict skips missing and unexpected keys but still refuses a wrong shape.
  state.erase("layers.0.weight");
  block->load_state_dict(state, false);
  CHECK(allclose(block->bias, ones({3})));
  state["layers.0.weight"] = zeros({4});
  CHECK_THROWS_WITH(block->load_state_dict(state, false), Catch::Contains("size mismatch for layers.0.weight"));
}

TEST_CASE("registration rejects bad and duplicate names", "[nn][module]") {
  Scale scale(2);
  CHECK_THROWS_WITH(scale->register_parameter("weight", zeros({1})), Catch::Contains("already has a parameter"));
  CHECK_THROWS_WITH(scale->register_buffer("a.b", zeros({1})), Catch::Contains("contain no '.'"));
  CHECK_THROWS_WITH(scale->register_module("child", Scale(nullptr)), Catch::Contains("is empty"));
  Tensor x = ones({2}, requires_grad());
  CHECK_THROWS_WITH(scale->register_parameter("computed", x * 2), Catch::Contains("must be a leaf"));
  CHECK_THROWS_WITH(scale->register_parameter("ids", zeros({2}, kInt64)), Catch::Contains("floating-point"));
  Scale empty{nullptr};
  CHECK_FALSE(empty);
  CHECK_THROWS_WITH(empty->weight, Catch::Contains("empty holder"));
}

TEST_CASE("to(dtype) converts in place, keeping handles and integer buffers", "[nn][module]") {
  Scale scale(2);
  Tensor held = scale->weight;
  scale->to(kFloat64);
  CHECK(held.dtype() == kFloat64);
  CHECK(held.requires_grad());
  CHECK(scale->count.dtype() == kInt64);
  CHECK(scale(ones({2}, kFloat64)).dtype() == kFloat64);
}

TEST_CASE("modules print as a PyTorch-like tree", "[nn][module]") {
  Block block;
  std::ostringstream out;
  out << block;
  CHECK(out.str() ==
        "Block(\n"
        "  (first): Scale(d=3)\n"
        "  (layers): ModuleList(\n"
        "    (0): Scale(d=3)\n"
        "    (1): Scale(d=3)\n"
        "  )\n"
        ")");
}

TEST_CASE("Sequential chains its layers; ModuleList indexes them", "[nn][module]") {
  nn::Sequential seq(Scale(2), Scale(2));
  seq->push_back(std::make_shared<ScaleImpl>(2));
  CHECK(seq->size() == 3);
  {
    NoGradGuard no_grad;
    seq->ptr<ScaleImpl>(1)->weight.fill_(3);
  }
  CHECK(allclose(seq(ones({2})), full({2}, 3.0)));
  CHECK(names_of(seq->named_parameters()) == std::vector<std::string>{"0.weight", "1.weight", "2.weight"});
  CHECK(allclose(nn::Sequential()(ones({2})), ones({2})));
  CHECK_THROWS_WITH(seq->ptr(3), Catch::Contains("index 3 is out of range for 3 elements"));
  CHECK_THROWS_WITH(seq->ptr<BlockImpl>(0), Catch::Contains("element 0 is a Scale"));

  nn::ModuleList list(Scale(1));
  list->push_back(Block());
  CHECK(list->size() == 2);
  CHECK(list[1]->type_name() == "Block");
  CHECK(list[0]->as<ScaleImpl>() != nullptr);
  CHECK(list[1]->as<ScaleImpl>() == nullptr);
  size_t count = 0;
  for (const auto& m : *list) count += m != nullptr;
  CHECK(count == 2);
}
