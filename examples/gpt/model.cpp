// The GPT model: pre-LN Transformer blocks between tied token embeddings and the output logits.
#include "model.h"

#include <cmath>

#include "ag/core/checked.h"
#include "ag/core/error.h"
#include "ag/core/factory.h"
#include "ag/core/ops.h"
#include "ag/nn/functional/attention.h"
#include "ag/nn/functional/layer_norm.h"
#include "ag/nn/functional/linear.h"
#include "ag/nn/init.h"

namespace gpt {

using ag::Tensor;
namespace nn = ag::nn;
namespace F = ag::nn::functional;

void check_model_config(const nlohmann::json& config, const std::string& where) {
  AG_CHECK(config.is_object(), "{} must be a JSON object, got {}", where, config.dump());
  ag::train::check_settings(ag::train::setting_specs<ModelConfig>(), config, where);
}

void ModelConfig::validate() const {
  ag::train::check_settings(ag::train::setting_specs<ModelConfig>(), ag::train::settings_to_json(*this));
  AG_CHECK(n_embd % n_head == 0, "model: --width ({}) must be a multiple of --heads ({})", n_embd, n_head);
}

void check_fits(const ModelConfig& c, int64_t rows, std::string_view rows_flag, bool training) {
  const int64_t E = c.n_embd, T = c.block_size, L = c.n_layer;
  // A block holds 12 E^2 weights (c_attn 3E^2, c_proj E^2, the MLP 8E^2) and at most 13 E more.
  const int64_t block = ag::checked_mul(ag::checked_add(ag::checked_mul(12, E, "12 x --width"), 13, "a block's weights"),
                                        E, "a block's weights");  // (12 E + 13) E
  int64_t weights = ag::checked_mul(block, L, "--layers x a block's weights");
  const int64_t embeddings = ag::checked_add(ag::checked_add(c.vocab_size, T, "the embeddings"), 1, "the embeddings");
  weights = ag::checked_add(weights, ag::checked_mul(embeddings, E, "the embeddings"), "the weights");
  // Per row: logits (T,V), attention scores (H,T,T) per block, and about 16 E a token per block
  // kept for backward (inputs of the Linears, LayerNorms and GELU, the MLP's 4E twice).
  const int64_t per_token = ag::checked_add(c.vocab_size, ag::checked_mul(L, ag::checked_add(
                                ag::checked_mul(c.n_head, T, "--heads x --context"), ag::checked_mul(16, E, "16 x --width"), "a token's activations"),
                                "--layers x a token's activations"), "a token's activations");
  const int64_t per_row = ag::checked_mul(per_token, T, "--context x a token's activations");
  const int64_t activations = ag::checked_mul(per_row, rows, fmt::format("{} x a window's activations", rows_flag));
  const int64_t floats = ag::checked_add(ag::checked_mul(weights, training ? 4 : 1, "the weights and AdamW's state"),
                                         activations, "the weights and activations");
  ag::check_fits_in_memory(ag::checked_nbytes(floats, sizeof(float), "the model"),
                           fmt::format("a model of {} weights and {} activations ({} {}, --context {}, --width {}, "
                                       "--layers {})", weights, activations, rows_flag, rows, T, E, L));
}

LayerNormImpl::LayerNormImpl(int64_t dim, bool with_bias) : Module("LayerNorm") {
  weight = register_parameter("weight", ag::ones({dim}));
  if (with_bias) bias = register_parameter("bias", ag::zeros({dim}));
}

Tensor LayerNormImpl::forward(const Tensor& x) { return F::layer_norm(x, {weight.size(0)}, weight, bias); }

CausalSelfAttentionImpl::CausalSelfAttentionImpl(const ModelConfig& config)
    : Module("CausalSelfAttention"), n_head(config.n_head), dropout(config.dropout) {
  c_attn = register_module("c_attn", nn::Linear(config.n_embd, 3 * config.n_embd, config.bias));
  c_proj = register_module("c_proj", nn::Linear(config.n_embd, config.n_embd, config.bias));
  resid_dropout = register_module("resid_dropout", nn::Dropout(config.dropout));
}

Tensor CausalSelfAttentionImpl::forward(const Tensor& x, nn::KVCache* cache) {
  const int64_t B = x.size(0), T = x.size(1), E = x.size(2), H = n_head, D = E / H;
  // q, k and v through their own rows of c_attn's (3E,E) weight: one (B,T,3E) product sliced into
  // three would make backward add three zero-padded (B,T,3E) gradients (see nn::MultiheadAttention).
  auto project = [&](int64_t which) {
    const Tensor w = c_attn->weight.narrow(0, which * E, E);
    const Tensor b = c_attn->bias.defined() ? c_attn->bias.narrow(0, which * E, E) : Tensor();
    return F::linear(x, w, b).reshape({B, T, H, D}).transpose(1, 2);  // (B,H,T,D)
  };
  Tensor q = project(0), k = project(1), v = project(2);
  const int64_t past = cache ? cache->size() : 0;
  if (cache) {
    cache->key = past > 0 ? ag::cat({cache->key, k}, 2) : k;
    cache->value = past > 0 ? ag::cat({cache->value, v}, 2) : v;
    k = cache->key, v = cache->value;  // (B,H,S,D), S = past + T
  }
  // Query t sits at position past + t and sees keys 0 .. past + t. Without a past that is the plain
  // causal mask; a single new query sees every key; several new queries after a past need the
  // shifted mask spelled out (true = may attend).
  Tensor mask;
  if (past > 0 && T > 1) {
    std::vector<bool> allowed(static_cast<size_t>(T * (past + T)));
    for (int64_t t = 0; t < T; ++t)
      for (int64_t s = 0; s < past + T; ++s) allowed[static_cast<size_t>(t * (past + T) + s)] = s <= past + t;
    mask = ag::from_vector(allowed, {T, past + T});
  }
  const double p = is_training() ? dropout : 0.0;
  Tensor y = F::scaled_dot_product_attention(q, k, v, mask, p, /*is_causal=*/past == 0 && T > 1);  // (B,H,T,D)
  return resid_dropout(c_proj(y.transpose(1, 2).reshape({B, T, E})));
}

MlpImpl::MlpImpl(const ModelConfig& config) : Module("MLP") {
  c_fc = register_module("c_fc", nn::Linear(config.n_embd, 4 * config.n_embd, config.bias));
  c_proj = register_module("c_proj", nn::Linear(4 * config.n_embd, config.n_embd, config.bias));
  dropout = register_module("dropout", nn::Dropout(config.dropout));
}

Tensor MlpImpl::forward(const Tensor& x) { return dropout(c_proj(ag::gelu(c_fc(x)))); }

BlockImpl::BlockImpl(const ModelConfig& config) : Module("Block") {
  ln_1 = register_module("ln_1", LayerNorm(config.n_embd, config.bias));
  attn = register_module("attn", CausalSelfAttention(config));
  ln_2 = register_module("ln_2", LayerNorm(config.n_embd, config.bias));
  mlp = register_module("mlp", Mlp(config));
}

Tensor BlockImpl::forward(const Tensor& x, nn::KVCache* cache) {
  const Tensor h = x + attn->forward(ln_1(x), cache);
  return h + mlp(ln_2(h));
}

GPTBodyImpl::GPTBodyImpl(const ModelConfig& config) : Module("ModuleDict") {
  wte = register_module("wte", nn::Embedding(config.vocab_size, config.n_embd));
  wpe = register_module("wpe", nn::Embedding(config.block_size, config.n_embd));
  drop = register_module("drop", nn::Dropout(config.dropout));
  h = register_module("h", nn::ModuleList());
  for (int64_t i = 0; i < config.n_layer; ++i) {
    blocks.emplace_back(config);
    h->push_back(blocks.back());
  }
  ln_f = register_module("ln_f", LayerNorm(config.n_embd, config.bias));
}

GPTImpl::GPTImpl(const ModelConfig& model_config) : Module("GPT"), config(model_config) {
  config.validate();
  AG_CHECK(config.vocab_size > 0, "model: the vocabulary is empty; is the training text empty?");
  check_fits(config, 0, "rows", /*training=*/false);
  transformer = register_module("transformer", GPTBody(config));
  const double residual_std = 0.02 / std::sqrt(2.0 * static_cast<double>(config.n_layer));
  for (const auto& [name, p] : named_parameters()) {
    const bool is_norm = name.find(".ln_") != std::string::npos;
    if (is_norm) continue;  // ones and zeros, as made
    if (name.ends_with(".bias")) nn::init::zeros_(p);
    else if (name.ends_with("c_proj.weight")) nn::init::normal_(p, 0.0, residual_std);
    else nn::init::normal_(p, 0.0, 0.02);
  }
}

Tensor GPTImpl::forward(const Tensor& tokens, Cache* cache) {
  AG_CHECK(tokens.dim() == 2 && tokens.dtype() == ag::kInt64, "GPT: tokens must be (B,T) int64, got {}",
           ag::shape_str(tokens.sizes()));
  const int64_t T = tokens.size(1), past = cache ? (*cache)[0].size() : 0;
  AG_CHECK(T > 0 && past + T <= config.block_size,
           "GPT: {} tokens after {} cached ones do not fit the context of {} tokens", T, past, config.block_size);
  const Tensor positions = ag::arange(static_cast<double>(past), static_cast<double>(past + T), 1.0, ag::kInt64);
  Tensor x = transformer->drop(transformer->wte(tokens) + transformer->wpe(positions));  // (B,T,E)
  for (size_t i = 0; i < transformer->blocks.size(); ++i)
    x = transformer->blocks[i]->forward(x, cache ? &(*cache)[i] : nullptr);
  return F::linear(transformer->ln_f(x), transformer->wte->weight);  // tied lm_head: (B,T,E) -> (B,T,V)
}

}  // namespace gpt
