// MultiheadAttention, the Transformer layers and a whole nn.Transformer against PyTorch 1.13: the
// fixtures (tests/reference/make_attention_fixtures.py) hold PyTorch's weights under its names,
// the inputs, the outputs and the gradient of every parameter and input. We load the weights by
// name (strictly: every key must match), run the same computation and compare everything.
#include <catch2/catch.hpp>

#include "ag/ag.h"
#include "fixture.h"
#include "ag/nn/attention.h"
#include "ag/nn/transformer.h"

using namespace ag;

namespace {

// Float32 on both sides, the same math summed in different orders (OpenBLAS blocking, fused
// softmax and layer-norm kernels vs ATen's): a few ulps per term, which grows through the residual
// stack, so 1e-4 relative. Elements that cancel to near zero (gradients especially) get an
// absolute floor of 1e-5, about 1e-5 of the typical magnitude (~1) of these values.
constexpr double kRtol = 1e-4, kAtol = 1e-5;

bool is_state_key(const std::string& name) {
  for (const char* prefix : {"input.", "output.", "grad.", "proj"})
    if (name.rfind(prefix, 0) == 0) return false;
  return true;
}

// A fixture with the module's weights loaded and its inputs, requiring grad where PyTorch's did.
struct Golden {
  std::string file;
  test::Fixture fixture;
  std::map<std::string, Tensor> inputs;

  template <typename Holder>
  Golden(const std::string& f, Holder& module) : file(f), fixture(test::load_fixture(f)) {
    std::map<std::string, Tensor> state;
    for (const auto& [name, t] : fixture.tensors) {
      if (is_state_key(name)) state[name] = t;
      if (name.rfind("input.", 0) == 0) {
        const std::string input = name.substr(6);
        inputs[input] = t.clone().requires_grad_(fixture.tensors.count("grad.input." + input) > 0);
      }
    }
    module->load_state_dict(state);  // strict: names and shapes as PyTorch's
    module->eval();
  }
  Tensor in(const std::string& name) const { return inputs.at(name); }

  void check(const std::string& what, const Tensor& actual) const {
    test::require_close(actual, fixture.at("output." + what), kRtol, kAtol, file + " output." + what);
  }
  // Backpropagates (out * proj).sum() and compares the gradient of every parameter and input.
  void check_out_and_gradients(const Tensor& out, const nn::Module& module) const {
    check("out", out);
    (out * fixture.at("proj")).sum().backward();
    for (const auto& [name, p] : module.named_parameters())
      test::require_close(p.grad(), fixture.at("grad." + name), kRtol, kAtol, file + " grad." + name);
    for (const auto& [name, t] : inputs)
      if (t.requires_grad())
        test::require_close(t.grad(), fixture.at("grad.input." + name), kRtol, kAtol, file + " grad.input." + name);
  }
};

nn::TransformerLayerOptions layer_options(const nlohmann::json& meta) {
  return nn::TransformerLayerOptions(meta.at("d_model"), meta.at("nhead"))
      .dim_feedforward(meta.at("dim_feedforward"))
      .dropout(0.0)
      .activation(meta.at("activation").get<std::string>())
      .layer_norm_eps(meta.at("layer_norm_eps"))
      .batch_first(meta.at("batch_first"))
      .norm_first(meta.at("norm_first"));
}

}  // namespace

TEST_CASE("MultiheadAttention self-attention matches PyTorch: padding, causal mask, both weights",
          "[attention][golden]") {
  nn::MultiheadAttention mha(8, 2);
  Golden g("attn_mha_self.json", mha);
  Tensor x = g.in("x"), padding = g.in("key_padding_mask"), causal = g.in("attn_mask");
  auto [out, weights] = mha(x, x, x, padding, true, causal);
  auto [again, per_head] = mha(x, x, x, padding, true, causal, false);
  g.check("weights", weights);
  g.check("weights_per_head", per_head);
  g.check_out_and_gradients(out, *mha);
}

TEST_CASE("MultiheadAttention cross-attention matches PyTorch: batch_first, kdim/vdim, float mask",
          "[attention][golden]") {
  nn::MultiheadAttention mha(nn::MultiheadAttentionOptions(8, 4).batch_first(true).kdim(6).vdim(5));
  Golden g("attn_mha_cross.json", mha);
  Tensor q = g.in("query"), k = g.in("key"), v = g.in("value");
  auto [out, weights] = mha(q, k, v, g.in("key_padding_mask"), true, g.in("attn_mask"));
  auto [again, per_head] = mha(q, k, v, g.in("key_padding_mask"), true, g.in("attn_mask"), false);
  g.check("weights", weights);
  g.check("weights_per_head", per_head);
  g.check_out_and_gradients(out, *mha);
}

TEST_CASE("TransformerEncoderLayer matches PyTorch, post-LN and pre-LN", "[transformer][golden]") {
  for (const char* file : {"transformer_encoder_layer_post.json", "transformer_encoder_layer_pre.json"}) {
    nn::TransformerEncoderLayer layer(layer_options(test::load_fixture(file).meta));
    Golden g(file, layer);
    g.check_out_and_gradients(layer(g.in("src"), g.in("src_mask"), g.in("src_key_padding_mask")), *layer);
  }
}

TEST_CASE("TransformerDecoderLayer matches PyTorch, post-LN and pre-LN", "[transformer][golden]") {
  for (const char* file : {"transformer_decoder_layer_post.json", "transformer_decoder_layer_pre.json"}) {
    nn::TransformerDecoderLayer layer(layer_options(test::load_fixture(file).meta));
    Golden g(file, layer);
    Tensor tgt = g.in("tgt");
    Tensor out = layer(tgt, g.in("memory"), nn::generate_square_subsequent_mask(tgt.size(layer->options.batch_first() ? 1 : 0)),
                       Tensor(), g.in("tgt_key_padding_mask"), g.in("memory_key_padding_mask"));
    g.check_out_and_gradients(out, *layer);
  }
}

TEST_CASE("a 2+2-layer Transformer matches PyTorch's nn.Transformer", "[transformer][golden]") {
  const nlohmann::json meta = test::load_fixture("transformer_full.json").meta;
  nn::Transformer model(nn::TransformerOptions(meta.at("d_model"), meta.at("nhead"))
                            .num_encoder_layers(meta.at("num_encoder_layers"))
                            .num_decoder_layers(meta.at("num_decoder_layers"))
                            .dim_feedforward(meta.at("dim_feedforward"))
                            .dropout(0.0));
  Golden g("transformer_full.json", model);
  Tensor tgt = g.in("tgt");
  Tensor out = model(g.in("src"), tgt, Tensor(), nn::generate_square_subsequent_mask(tgt.size(0)), Tensor(),
                     g.in("src_key_padding_mask"), g.in("tgt_key_padding_mask"), g.in("memory_key_padding_mask"));
  g.check_out_and_gradients(out, *model);
}
