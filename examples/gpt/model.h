// The language model: a decoder-only Transformer as nanoGPT's GPT (Radford et al. 2019, "Language
// Models are Unsupervised Multitask Learners", with pre-LN blocks):
//
//   x = wte(tokens) + wpe(positions)                       (B,T) -> (B,T,E)
//   each block: x = x + attn(ln_1(x));  x = x + mlp(ln_2(x))  causal self-attention, GELU MLP 4E
//   logits = ln_f(x) wte^T                                 (B,T,E) -> (B,T,V), lm_head tied to wte
//
// Parameter names are nanoGPT's, so the weights load into its model (see to_torch.py):
//   transformer.wte.weight (V,E)   transformer.wpe.weight (block_size,E)
//   transformer.h.0.ln_1.weight (E)             [.bias with config.bias]
//   transformer.h.0.attn.c_attn.weight (3E,E)   W_Q, W_K, W_V stacked, as nanoGPT (and as
//                                               nn::MultiheadAttention's in_proj_weight)
//   transformer.h.0.attn.c_proj.weight (E,E)
//   transformer.h.0.ln_2.weight (E)   transformer.h.0.mlp.c_fc.weight (4E,E)   .mlp.c_proj.weight (E,4E)
//   transformer.ln_f.weight (E)
// nanoGPT's lm_head.weight is the same tensor as transformer.wte.weight; ag stores it once.
//
// Attention is written with functional::scaled_dot_product_attention rather than
// nn::MultiheadAttention so that the names match nanoGPT's c_attn / c_proj; generation keeps each
// block's keys and values in an nn::KVCache, so a new token costs time linear in the context.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ag/nn/attention.h"
#include "ag/nn/container.h"
#include "ag/nn/dropout.h"
#include "ag/nn/embedding.h"
#include "ag/nn/linear.h"
#include "ag/train/settings.h"

namespace gpt {

struct ModelConfig {
  int64_t vocab_size = 0;
  int64_t block_size = 64;  // the longest context, in tokens
  int64_t n_layer = 4;
  int64_t n_head = 4;
  int64_t n_embd = 128;
  double dropout = 0.0;
  bool bias = false;  // biases in the Linears and LayerNorms (nanoGPT's CPU recipe: none)

  // Throws an ag::Error naming the first setting a model cannot be built with.
  void validate() const;
  bool operator==(const ModelConfig&) const = default;

  // Each setting once, with its flag of `gpt train`, its key (nanoGPT's name) in a weights file's
  // `config` and its range (ag/train/settings.h); `gpt train`'s own list takes these in at /model.
  // The ranges keep what is allocated from them far from what exhausts the machine; sizes built
  // from several settings are checked by check_fits.
  template <typename Self, typename Setting>
  static void settings(Self& o, Setting&& setting) {
    using ag::train::Range;
    const std::string model = "Model";
    setting(o.vocab_size, {.key = "/vocab_size", .range = Range{0, 1 << 20}});  // filled in from the text
    setting(o.block_size, {.flag = "--context", .key = "/block_size", .help = "context length in tokens",
                           .range = Range{1, 65536}, .group = model});
    setting(o.n_layer, {.flag = "--layers", .key = "/n_layer", .help = "Transformer blocks", .range = Range{1, 256},
                        .group = model});
    setting(o.n_head, {.flag = "--heads", .key = "/n_head", .help = "attention heads", .range = Range{1, 1024},
                       .group = model});
    setting(o.n_embd, {.flag = "--width", .key = "/n_embd", .help = "embedding width", .range = Range{1, 65536},
                       .group = model});
    setting(o.dropout, {.flag = "--dropout", .key = "/dropout", .help = "dropout", .range = Range{0, 1, false, true},
                        .group = model});
    setting(o.bias, {.flag = "--bias", .key = "/bias", .help = "biases in Linears and LayerNorms", .group = model});
  }
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ModelConfig, vocab_size, block_size, n_layer, n_head, n_embd, dropout, bias)

// Throws an ag::Error unless `config` (a ModelConfig as JSON, from the file `where` names: "m.safetensors:
// config") is an object whose every setting is in its range; a missing key is left to the reader.
void check_model_config(const nlohmann::json& config, const std::string& where);

// Throws an ag::Error unless the model's weights (with `training`, also their gradients and AdamW's
// two moments) and the activations of `rows` windows of block_size tokens (logits, attention
// scores, and what each block keeps for backward; `rows_flag` names the flag that sets `rows`) fit
// in the machine's memory. Every product is checked (ag/core/checked.h) before it is used.
void check_fits(const ModelConfig& config, int64_t rows, std::string_view rows_flag, bool training);

// One KVCache per block: what incremental generation carries between steps.
using Cache = std::vector<ag::nn::KVCache>;

// LayerNorm with an optional bias (nanoGPT's; nn::LayerNorm has both weight and bias or neither).
class LayerNormImpl : public ag::nn::Module {
 public:
  LayerNormImpl(int64_t dim, bool bias);
  ag::Tensor forward(const ag::Tensor& x);  // (..,E) -> (..,E)
  ag::Tensor weight, bias;                  // (E); bias undefined without config.bias
};
AG_MODULE(LayerNorm);

class CausalSelfAttentionImpl : public ag::nn::Module {
 public:
  explicit CausalSelfAttentionImpl(const ModelConfig& config);
  // x (B,T,E) -> (B,T,E). With a cache, x holds the T positions after the cache's S, which it
  // attends to as well; their keys and values are appended to it.
  ag::Tensor forward(const ag::Tensor& x, ag::nn::KVCache* cache = nullptr);

  ag::nn::Linear c_attn{nullptr}, c_proj{nullptr};
  ag::nn::Dropout resid_dropout{nullptr};
  int64_t n_head;
  double dropout;
};
AG_MODULE(CausalSelfAttention);

class MlpImpl : public ag::nn::Module {
 public:
  explicit MlpImpl(const ModelConfig& config);
  ag::Tensor forward(const ag::Tensor& x);  // (B,T,E) -> (B,T,4E) -> GELU -> (B,T,E)
  ag::nn::Linear c_fc{nullptr}, c_proj{nullptr};
  ag::nn::Dropout dropout{nullptr};
};
AG_MODULE(Mlp);

class BlockImpl : public ag::nn::Module {
 public:
  explicit BlockImpl(const ModelConfig& config);
  ag::Tensor forward(const ag::Tensor& x, ag::nn::KVCache* cache = nullptr);  // (B,T,E) -> (B,T,E)
  LayerNorm ln_1{nullptr}, ln_2{nullptr};
  CausalSelfAttention attn{nullptr};
  Mlp mlp{nullptr};
};
AG_MODULE(Block);

// nanoGPT's `transformer` dictionary: everything but the (tied) output projection.
class GPTBodyImpl : public ag::nn::Module {
 public:
  explicit GPTBodyImpl(const ModelConfig& config);
  ag::nn::Embedding wte{nullptr}, wpe{nullptr};
  ag::nn::Dropout drop{nullptr};
  ag::nn::ModuleList h{nullptr};
  std::vector<Block> blocks;  // h's elements, typed
  LayerNorm ln_f{nullptr};
};
AG_MODULE(GPTBody);

class GPTImpl : public ag::nn::Module {
 public:
  // Initialised as nanoGPT: N(0, 0.02) for Linears and embeddings, and N(0, 0.02 / sqrt(2 n_layer))
  // for the projections that feed the residual stream (GPT-2's scaling), zero biases; drawn from
  // ag's global generator (seed it first for a reproducible model).
  explicit GPTImpl(const ModelConfig& config);

  // tokens (B,T) int64, T <= block_size -> logits (B,T,V). With a cache, tokens continue the
  // cached positions (S + T <= block_size) and the cache grows by T.
  ag::Tensor forward(const ag::Tensor& tokens, Cache* cache = nullptr);
  // An empty cache for this model.
  Cache make_cache() const { return Cache(transformer->blocks.size()); }

  ModelConfig config;
  GPTBody transformer{nullptr};
};
AG_MODULE(GPT);

}  // namespace gpt
