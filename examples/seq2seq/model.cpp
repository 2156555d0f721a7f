// The translation model around nn::Transformer: embeddings in, vocabulary logits out.
#include "model.h"

#include <cmath>

#include "ag/core/ops.h"
#include "ag/nn/init.h"

namespace seq2seq {

using ag::Tensor;
namespace nn = ag::nn;

void ModelConfig::validate() const {
  AG_CHECK(d_model > 0 && nhead > 0 && d_model % nhead == 0,
           "model: --d-model ({}) must be a positive multiple of --heads ({})", d_model, nhead);
  AG_CHECK(encoder_layers > 0 && decoder_layers > 0, "model: --encoder-layers ({}) and --decoder-layers ({}) must be "
           "at least 1", encoder_layers, decoder_layers);
  AG_CHECK(dim_feedforward > 0, "model: --ff ({}) must be positive", dim_feedforward);
  AG_CHECK(dropout >= 0 && dropout < 1, "model: --dropout ({}) must be in [0, 1)", dropout);
  AG_CHECK(max_positions > 0, "model: max_positions ({}) must be positive", max_positions);
}

Seq2SeqImpl::Seq2SeqImpl(const ModelConfig& model_config) : Module("Seq2Seq"), config(model_config) {
  config.validate();
  AG_CHECK(config.src_vocab_size > 4 && config.tgt_vocab_size > 4,
           "model: the vocabularies have {} (source) and {} (target) entries; each needs at least one piece "
           "besides <pad>, <unk>, <bos> and <eos> -- is the training data empty?",
           config.src_vocab_size, config.tgt_vocab_size);
  src_embed = register_module("src_embed", nn::Embedding(config.src_vocab_size, config.d_model));
  tgt_embed = register_module("tgt_embed", nn::Embedding(config.tgt_vocab_size, config.d_model));
  pos = register_module("pos", nn::SinusoidalPositionalEncoding(nn::SinusoidalPositionalEncodingOptions(config.d_model)
                                                                    .max_len(config.max_positions)
                                                                    .dropout(config.dropout)
                                                                    .batch_first(true)));
  transformer = register_module("transformer", nn::Transformer(nn::TransformerOptions(config.d_model, config.nhead)
                                                                   .num_encoder_layers(config.encoder_layers)
                                                                   .num_decoder_layers(config.decoder_layers)
                                                                   .dim_feedforward(config.dim_feedforward)
                                                                   .dropout(config.dropout)
                                                                   .norm_first(config.norm_first)
                                                                   .batch_first(true)));
  generator = register_module("generator", nn::Linear(config.d_model, config.tgt_vocab_size));
  // N(0, 1) embeddings scaled by sqrt(E) would dwarf the positions; Xavier keeps both near 1 / sqrt(E).
  for (const Tensor& p : parameters())
    if (p.dim() > 1) nn::init::xavier_uniform_(p);
}

Tensor Seq2SeqImpl::embed(nn::Embedding& table, const Tensor& tokens, int64_t offset) {
  // Scaling by sqrt(E) as in "Attention Is All You Need", section 3.4.
  return pos(table(tokens) * std::sqrt(static_cast<double>(config.d_model)), offset);
}

Tensor Seq2SeqImpl::embed_target(const Tensor& tokens, int64_t offset) { return embed(tgt_embed, tokens, offset); }

Tensor Seq2SeqImpl::encode(const Tensor& src, const Tensor& src_padding) {
  return transformer->encode(embed(src_embed, src, 0), {}, src_padding);
}

Tensor Seq2SeqImpl::decode(const Tensor& tgt_in, const Tensor& memory, const Tensor& src_padding) {
  // The causal mask alone keeps padding out: a real position never looks ahead, and padding only
  // follows the real tokens. What padding positions predict is ignored by the loss.
  const Tensor causal = nn::generate_square_subsequent_mask(tgt_in.size(1));
  Tensor hidden = transformer->decode(embed_target(tgt_in, 0), memory, causal, {}, {}, src_padding);
  return generator(hidden);
}

Tensor Seq2SeqImpl::decode_step(const Tensor& tokens, const Tensor& memory, const Tensor& src_padding,
                                nn::TransformerDecoderCache& cache) {
  Tensor hidden = transformer->decode_step(embed_target(tokens, cache.size()), memory, cache, src_padding);
  return generator(hidden);
}

Tensor Seq2SeqImpl::forward(const Tensor& src, const Tensor& src_padding, const Tensor& tgt_in) {
  return decode(tgt_in, encode(src, src_padding), src_padding);
}

}  // namespace seq2seq
