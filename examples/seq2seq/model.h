// The translation model: token embeddings, sinusoidal positions, nn::Transformer, and a projection
// to the target vocabulary. It is the model of PyTorch's "Language Translation with nn.Transformer"
// tutorial, with the same parameter names, so its weights load into PyTorch (see load_in_pytorch.py):
//
//   src_embed.weight (V_src,E)   tgt_embed.weight (V_tgt,E)   pos.pe (max_positions,E)
//   transformer.encoder.layers.0.self_attn.in_proj_weight ...  transformer.decoder.norm.bias
//   generator.weight (V_tgt,E)   generator.bias (V_tgt)
//
// Shapes are batch first: src (B,S) and tgt (B,T) token ids, padding masks (B,S) bool with true =
// padding (PyTorch's key_padding_mask convention), memory (B,S,E), logits (B,T,V_tgt).
#pragma once
#include <cstdint>

#include "ag/nn/embedding.h"
#include "ag/nn/linear.h"
#include "ag/nn/positional.h"
#include "ag/nn/transformer.h"

namespace seq2seq {

// Everything needed to rebuild the model's shape; saved in every weights file (its JSON form and the
// flags that set it are declared in options.h).
struct ModelConfig {
  int64_t src_vocab_size = 0;
  int64_t tgt_vocab_size = 0;
  int64_t d_model = 128;
  int64_t nhead = 4;
  int64_t encoder_layers = 2;
  int64_t decoder_layers = 2;
  int64_t dim_feedforward = 512;
  double dropout = 0.1;
  bool norm_first = false;      // pre-LN instead of the paper's post-LN
  int64_t max_positions = 512;  // longest sequence (in tokens) the positional table covers

  // Throws an ag::Error naming the first setting (vocabularies aside) a model cannot be built with.
  void validate() const;
  bool operator==(const ModelConfig&) const = default;
};

class Seq2SeqImpl : public ag::nn::Module {
 public:
  // Initialised as the PyTorch tutorial: Xavier-uniform for every parameter with 2 or more dims,
  // drawn from ag's global generator (seed it first for a reproducible model).
  explicit Seq2SeqImpl(const ModelConfig& config);

  // src (B,S), src_padding (B,S) -> memory (B,S,E)
  ag::Tensor encode(const ag::Tensor& src, const ag::Tensor& src_padding);
  // Teacher forcing: tgt_in (B,T) read under a causal mask -> logits (B,T,V_tgt).
  ag::Tensor decode(const ag::Tensor& tgt_in, const ag::Tensor& memory, const ag::Tensor& src_padding);
  // Incremental decoding: the newest token of each row (B,1) -> logits (B,1,V_tgt) for the next one.
  // `cache` holds every decoder layer's keys and values so far, so step t costs O(t), not O(t^2).
  ag::Tensor decode_step(const ag::Tensor& tokens, const ag::Tensor& memory, const ag::Tensor& src_padding,
                         ag::nn::TransformerDecoderCache& cache);
  // encode then decode: the training forward pass.
  ag::Tensor forward(const ag::Tensor& src, const ag::Tensor& src_padding, const ag::Tensor& tgt_in);

  // The decoder's input at positions [offset, offset + T): embedding * sqrt(E) + position.
  ag::Tensor embed_target(const ag::Tensor& tokens, int64_t offset);

  ModelConfig config;
  ag::nn::Embedding src_embed{nullptr};
  ag::nn::Embedding tgt_embed{nullptr};
  ag::nn::SinusoidalPositionalEncoding pos{nullptr};
  ag::nn::Transformer transformer{nullptr};
  ag::nn::Linear generator{nullptr};

 private:
  ag::Tensor embed(ag::nn::Embedding& table, const ag::Tensor& tokens, int64_t offset);
};
AG_MODULE(Seq2Seq);

}  // namespace seq2seq
