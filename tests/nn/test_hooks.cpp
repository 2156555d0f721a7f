// Module forward hooks and pre-hooks: they run when a module is called, m(x), in registration order,
// parents around children, and for the modules inside a model however the model is called; a hook
// may replace an output; handles remove them.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "ag/ag.h"
#include "ag/nn/attention.h"
#include "ag/nn/container.h"
#include "ag/nn/linear.h"
#include "ag/nn/module.h"
#include "ag/nn/transformer.h"

using namespace ag;

namespace {

struct TwoLayerImpl : nn::Module {
  TwoLayerImpl() : Module("TwoLayer") {
    fc1 = register_module("fc1", nn::Linear(3, 4));
    fc2 = register_module("fc2", nn::Linear(4, 2));
  }
  Tensor forward(const Tensor& x) { return fc2(relu(fc1(x))); }
  nn::Linear fc1{nullptr}, fc2{nullptr};
};
AG_MODULE(TwoLayer);

}  // namespace

TEST_CASE("forward pre-hooks and hooks fire in order, parents around children", "[hooks]") {
  TwoLayer net;
  std::vector<std::string> log;
  auto pre = [&log](const std::string& tag) {
    return [&log, tag](nn::Module&, const std::vector<Tensor>&) { log.push_back("pre " + tag); };
  };
  auto post = [&log](const std::string& tag) {
    return [&log, tag](nn::Module&, const std::vector<Tensor>&, std::vector<Tensor>&) { log.push_back("post " + tag); };
  };
  net->register_forward_pre_hook(pre("net 1"));
  net->register_forward_pre_hook(pre("net 2"));
  net->register_forward_hook(post("net 1"));
  net->register_forward_hook(post("net 2"));
  net->fc1->register_forward_pre_hook(pre("fc1"));
  net->fc1->register_forward_hook(post("fc1"));
  net->fc2->register_forward_hook(post("fc2"));
  net(randn({5, 3}));
  CHECK(log == std::vector<std::string>{"pre net 1", "pre net 2", "pre fc1", "post fc1", "post fc2", "post net 1",
                                        "post net 2"});
}

TEST_CASE("hooks see the tensor inputs and outputs, and may replace an output", "[hooks]") {
  nn::Linear fc(3, 2);
  Tensor x = randn({4, 3});
  Tensor seen_input, seen_output;
  fc->register_forward_hook([&](nn::Module& m, const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs) {
    CHECK(m.type_name() == "Linear");
    REQUIRE(inputs.size() == 1);
    REQUIRE(outputs.size() == 1);
    seen_input = inputs[0];
    seen_output = outputs[0];
    outputs[0] = outputs[0].clamp(-0.1, 0.1);  // e.g. clip activations
  });
  Tensor y = fc(x);
  CHECK(seen_input.is_same(x));
  CHECK(allclose(y, seen_output.clamp(-0.1, 0.1)));
  CHECK(y.grad_fn() != nullptr);  // the replacement is part of the graph
}

TEST_CASE("hooks see every tensor of a tuple output and skip non-tensor arguments", "[hooks]") {
  nn::MultiheadAttention attention(4, 2);
  Tensor q = randn({3, 1, 4});
  size_t input_count = 0, output_count = 0;
  attention->register_forward_hook([&](nn::Module&, const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs) {
    input_count = inputs.size();  // the tensors passed: query, key, value
    output_count = outputs.size();
    CHECK(outputs[1].sizes() == Shape{1, 3, 3});  // the averaged attention weights
  });
  attention(q, q, q, Tensor(), true);  // the bool need_weights is not a tensor
  CHECK(input_count == 4);
  CHECK(output_count == 2);
}

TEST_CASE("calling forward directly runs no hooks, as in PyTorch", "[hooks]") {
  nn::Linear fc(3, 2);
  int calls = 0;
  fc->register_forward_hook([&](nn::Module&, const auto&, auto&) { ++calls; });
  fc->forward(randn({1, 3}));
  CHECK(calls == 0);
  fc(randn({1, 3}));
  CHECK(calls == 1);
}

TEST_CASE("a removed hook no longer fires; removing twice is harmless", "[hooks]") {
  nn::Linear fc(3, 2);
  std::vector<int> fired;
  nn::RemovableHandle first = fc->register_forward_pre_hook([&](nn::Module&, const auto&) { fired.push_back(1); });
  fc->register_forward_pre_hook([&](nn::Module&, const auto&) { fired.push_back(2); });
  fc(randn({1, 3}));
  first.remove();
  first.remove();
  fc(randn({1, 3}));
  CHECK(fired == std::vector<int>{1, 2, 2});
  CHECK(fc->has_forward_hooks());
}

TEST_CASE("a hook may not change the number of outputs", "[hooks]") {
  nn::Linear fc(3, 2);
  fc->register_forward_hook([](nn::Module&, const auto&, std::vector<Tensor>& outputs) { outputs.push_back(Tensor()); });
  CHECK_THROWS_WITH(fc(randn({1, 3})), Catch::Contains("forward hook on Linear: the module returned 1 tensor(s) but the hook left 2"));
}

TEST_CASE("call_module runs hooks for a module held by pointer", "[hooks]") {
  nn::ModuleList layers(nn::Linear(2, 2));
  int calls = 0;
  layers->ptr<nn::LinearImpl>(0)->register_forward_hook([&](nn::Module&, const auto&, auto&) { ++calls; });
  nn::call_module(*layers->ptr<nn::LinearImpl>(0), randn({1, 2}));
  CHECK(calls == 1);
}

TEST_CASE("containers and Transformer stacks call their children with hooks", "[hooks]") {
  nn::Sequential net(nn::Linear(2, 3), nn::ReLU());
  int linear_calls = 0, encoder_layer_calls = 0, decoder_layer_calls = 0;
  net->ptr<nn::LinearImpl>(0)->register_forward_hook([&](nn::Module&, const auto&, auto&) { ++linear_calls; });
  net(randn({1, 2}));
  CHECK(linear_calls == 1);

  nn::Transformer model(nn::TransformerOptions(4, 2).num_encoder_layers(2).num_decoder_layers(1).dim_feedforward(8));
  model->encoder->layers->ptr<nn::TransformerEncoderLayerImpl>(1)->register_forward_hook(
      [&](nn::Module&, const auto&, auto&) { ++encoder_layer_calls; });
  model->decoder->layers->ptr<nn::TransformerDecoderLayerImpl>(0)->register_forward_hook(
      [&](nn::Module&, const auto&, auto&) { ++decoder_layer_calls; });
  model(randn({3, 1, 4}), randn({2, 1, 4}));
  CHECK(encoder_layer_calls == 1);
  CHECK(decoder_layer_calls == 1);
}

TEST_CASE("a hook on any module inside a model fires however the model is called", "[hooks]") {
  // ag::nn's modules call their children as child(x), or through call_with_hooks where they reach a
  // child by another method (the decoder layer's attention, through forward_cached). One that called
  // child->forward(x) would hide that child from its hooks, and this test would name it.
  nn::Transformer model(nn::TransformerOptions(4, 2).num_encoder_layers(1).num_decoder_layers(1).dim_feedforward(8));
  std::map<std::string, int> calls;
  for (const auto& [name, module] : model->named_modules()) {
    if (name.empty() || module->as<nn::ModuleListImpl>()) continue;  // the model itself; a list is never called
    calls[name] = 0;
    module->register_forward_hook([&calls, name = name](nn::Module&, const auto&, auto&) { ++calls[name]; });
  }
  REQUIRE(calls.size() == 28);  // every module but the model and its two lists of layers
  model->forward(randn({3, 1, 4}), randn({2, 1, 4}));  // forward itself: the model's own hooks would not run
  std::vector<std::string> never_fired;
  for (const auto& [name, count] : calls)
    if (count == 0) never_fired.push_back(name);
  std::string names;
  for (const std::string& name : never_fired) names += name + " ";
  INFO("hooks that never ran: " << names);
  CHECK(never_fired.empty());
}
