// The gpt example's model: PyTorch's logits for the same weights (fixtures from
// tests/reference/make_gpt_fixtures.py), nanoGPT's parameter names, the cached forward pass against
// the full one, and the weights file round trip and its refusals.
#include <catch2/catch.hpp>

#include "ag/core/error.h"
#include "ag/core/factory.h"
#include "ag/core/generator.h"
#include "ag/core/ops.h"
#include "ag/core/serialize.h"
#include "model.h"
#include "tests/data/temp_dir.h"
#include "tests/fixture.h"
#include "weights.h"

using namespace gpt;
using ag::Tensor;

namespace {

ModelConfig tiny_config(bool bias = false) {
  ModelConfig c;
  c.vocab_size = 11, c.block_size = 8, c.n_layer = 2, c.n_head = 2, c.n_embd = 16, c.bias = bias;
  return c;
}

}  // namespace

TEST_CASE("gpt: logits match PyTorch's for the same weights, with and without biases") {
  for (const char* file : {"gpt_tiny_bias.json", "gpt_tiny_nobias.json"}) {
    INFO(file);
    const ag::test::Fixture f = ag::test::load_fixture(file);
    GPT model(f.meta.get<ModelConfig>());
    std::map<std::string, Tensor> weights(f.tensors);
    weights.erase("idx"), weights.erase("logits");
    model->load_state_dict(weights);  // strict: every name must be nanoGPT's
    model->eval();
    ag::test::require_close(model->forward(f.at("idx")), f.at("logits"), 1e-4, 1e-4, file);
  }
}

TEST_CASE("gpt: parameters carry nanoGPT's names and the output projection is the token embedding") {
  ag::manual_seed(0);
  GPT model(tiny_config());
  const auto state = model->state_dict();
  for (const char* name : {"transformer.wte.weight", "transformer.wpe.weight", "transformer.h.0.ln_1.weight",
                           "transformer.h.1.attn.c_attn.weight", "transformer.h.1.attn.c_proj.weight",
                           "transformer.h.0.mlp.c_fc.weight", "transformer.h.0.mlp.c_proj.weight",
                           "transformer.ln_f.weight"})
    CHECK(state.count(name) == 1);
  CHECK(state.count("transformer.h.0.attn.c_attn.bias") == 0);  // no biases unless asked
  CHECK(state.size() == 2 + 2 * 6 + 1);
  // Changing wte changes the logits through the output projection too: zeroing it zeroes them.
  ag::nn::init::zeros_(model->transformer->wte->weight);
  const Tensor logits = model->forward(ag::from_vector(std::vector<int64_t>{1, 2, 3}, {1, 3}));
  CHECK(ag::max(ag::abs(logits)).item() == 0.0);
}

TEST_CASE("gpt: feeding tokens through the cache gives the full forward pass's logits") {
  ag::manual_seed(1);
  GPT model(tiny_config(true));
  model->eval();
  const Tensor tokens = ag::from_vector(std::vector<int64_t>{1, 5, 7, 2, 9, 4, 3, 6, 8, 10, 0, 5}, {2, 6});
  const Tensor full = model->forward(tokens);  // (2,6,V)
  // Two tokens, then one, then three: the shifted causal mask for several new queries is exercised.
  Cache cache = model->make_cache();
  std::vector<Tensor> parts;
  for (auto [start, length] : {std::pair<int64_t, int64_t>{0, 2}, {2, 1}, {3, 3}})
    parts.push_back(model->forward(tokens.narrow(1, start, length), &cache));
  CHECK(cache[0].size() == 6);
  ag::test::require_close(ag::cat(parts, 1), full, 1e-5, 1e-5, "cached vs full");
  REQUIRE_THROWS_WITH(model->forward(tokens.narrow(1, 0, 3), &cache),
                      Catch::Contains("3 tokens after 6 cached ones do not fit the context of 8"));
}

TEST_CASE("gpt: a weights file round-trips with its vocabulary and refuses what is not one") {
  ag::data::testing::TempDir dir;
  ag::manual_seed(2);
  const Codec codec = Codec::characters("abcdefg");
  ModelConfig config = tiny_config();
  config.vocab_size = codec.size();
  GPT model(config);
  save_model(dir.path("m.safetensors"), *model, codec, {{"steps", 3}});
  const LoadedModel loaded = load_model(dir.path("m.safetensors"));
  CHECK(loaded.model->config == config);
  CHECK(loaded.codec.pieces() == codec.pieces());
  CHECK(loaded.info.at("steps") == 3);
  const Tensor x = ag::from_vector(std::vector<int64_t>{4, 5, 6}, {1, 3});
  model->eval();
  CHECK(ag::allclose(loaded.model->forward(x), model->forward(x)));

  REQUIRE_THROWS_WITH(load_model(dir.path("missing")), Catch::Contains("does not exist"));
  ag::save_safetensors(dir.path("other.safetensors"), {{"w", ag::zeros({2})}});
  REQUIRE_THROWS_WITH(load_model(dir.path("other.safetensors")), Catch::Contains("not a model written by gpt"));
  ag::save_safetensors(dir.path("wrong.safetensors"), {{"w", ag::zeros({2})}},
                       {{"format", "ag-gpt"}, {"config", nlohmann::json(config).dump()},
                        {"vocab", nlohmann::json(codec.pieces()).dump()}, {"info", "{}"}});
  REQUIRE_THROWS_WITH(load_model(dir.path("wrong.safetensors")), Catch::Contains("transformer.wte.weight"));
}
