// One layer of the Transformer's encoder or decoder (Vaswani et al. 2017, section 3.1), as
// torch.nn.TransformerEncoderLayer and torch.nn.TransformerDecoderLayer, with the same submodule
// names, so state dicts move between the two:
//
//   encoder layer   x = x + self_attn(x)                 then  x = x + FF(x)
//   decoder layer   x = x + self_attn(x)  (masked)  then  x = x + multihead_attn(x, memory)  then  x + FF(x)
//   FF(x)           linear2(dropout(activation(linear1(x))))
//
// Each sublayer sits in a residual connection with a LayerNorm, placed in one of two ways:
//   post-LN (norm_first = false, the paper's):  x = norm(x + dropout(sublayer(x)))
//   pre-LN  (norm_first = true):                x = x + dropout(sublayer(norm(x)))
// Pre-LN trains more stably without learning-rate warm-up (Xiong et al. 2020, "On Layer
// Normalization in the Transformer Architecture"); a pre-LN stack wants a final LayerNorm.
//
// Shapes: (T,B,E), or (B,T,E) with batch_first. Masks as in nn::MultiheadAttention (bool true =
// not allowed, or float added to the scores).
#pragma once
#include <optional>
#include <string>
#include <tuple>

#include "ag/nn/attention.h"
#include "ag/nn/dropout.h"
#include "ag/nn/layer_norm.h"
#include "ag/nn/linear.h"

namespace ag::nn {

struct TransformerLayerOptions {
  TransformerLayerOptions(int64_t d_model, int64_t nhead) : d_model_(d_model), nhead_(nhead) {}
  AG_ARG(int64_t, d_model);
  AG_ARG(int64_t, nhead);
  AG_ARG(int64_t, dim_feedforward) = 2048;
  AG_ARG(double, dropout) = 0.1;
  AG_ARG(std::string, activation) = "relu";  // "relu" or "gelu"
  AG_ARG(double, layer_norm_eps) = 1e-5;
  AG_ARG(bool, batch_first) = false;
  AG_ARG(bool, norm_first) = false;
  // T5-style relative position bias in the self-attention (off by default; see nn/positional.h).
  // A decoder layer's self-attention is causal, so it always buckets with bidirectional = false.
  AG_ARG(std::optional<RelativePositionOptions>, relative_position) = std::nullopt;
};
using TransformerEncoderLayerOptions = TransformerLayerOptions;
using TransformerDecoderLayerOptions = TransformerLayerOptions;

class TransformerEncoderLayerImpl : public Cloneable<TransformerEncoderLayerImpl> {
 public:
  explicit TransformerEncoderLayerImpl(TransformerEncoderLayerOptions options);
  void reset() override;  // registers the sublayers
  TransformerEncoderLayerImpl(int64_t d_model, int64_t nhead)
      : TransformerEncoderLayerImpl(TransformerEncoderLayerOptions(d_model, nhead)) {}
  // src (S,B,E) -> (S,B,E); src_mask (S,S) or (B*nhead,S,S); src_key_padding_mask (B,S).
  Tensor forward(const Tensor& src, const Tensor& src_mask = {}, const Tensor& src_key_padding_mask = {});
  std::string extra_repr() const override;

  TransformerEncoderLayerOptions options;
  MultiheadAttention self_attn{nullptr};
  Linear linear1{nullptr};
  Dropout dropout{nullptr};
  Linear linear2{nullptr};
  LayerNorm norm1{nullptr}, norm2{nullptr};
  Dropout dropout1{nullptr}, dropout2{nullptr};
};
AG_MODULE(TransformerEncoderLayer);

// What a decoder layer keeps between the steps of incremental decoding (see KVCache): its
// self-attention's keys and values so far, and the projected memory for its cross-attention.
struct TransformerDecoderLayerCache {
  KVCache self_attn;
  KVCache cross_attn;
  void reorder(const Tensor& index) {  // beam search: keep the batch rows `index`
    self_attn.reorder(index);
    cross_attn.reorder(index);
  }
};

class TransformerDecoderLayerImpl : public Cloneable<TransformerDecoderLayerImpl> {
 public:
  explicit TransformerDecoderLayerImpl(TransformerDecoderLayerOptions options);
  void reset() override;  // registers the sublayers
  TransformerDecoderLayerImpl(int64_t d_model, int64_t nhead)
      : TransformerDecoderLayerImpl(TransformerDecoderLayerOptions(d_model, nhead)) {}
  // tgt (T,B,E), memory (S,B,E) -> (T,B,E). tgt_mask (T,T), e.g. generate_square_subsequent_mask(T);
  // memory_mask (T,S); tgt_key_padding_mask (B,T); memory_key_padding_mask (B,S).
  Tensor forward(const Tensor& tgt, const Tensor& memory, const Tensor& tgt_mask = {},
                 const Tensor& memory_mask = {}, const Tensor& tgt_key_padding_mask = {},
                 const Tensor& memory_key_padding_mask = {});
  // Incremental decoding: tgt holds only the new position(s), typically (1,B,E), and attends to
  // every earlier position through `cache`. memory is projected on the first step only and reused
  // after. tgt_mask and tgt_key_padding_mask, if given, cover all positions so far (cached + new).
  // forward() is this with an empty cache.
  Tensor forward_cached(const Tensor& tgt, const Tensor& memory, TransformerDecoderLayerCache& cache,
                        const Tensor& tgt_mask = {}, const Tensor& memory_mask = {},
                        const Tensor& tgt_key_padding_mask = {}, const Tensor& memory_key_padding_mask = {});
  // forward(), also returning where each target position looked in the memory: the
  // cross-attention weights (B,T,S), averaged over heads. For drawing attention maps.
  std::tuple<Tensor, Tensor> forward_with_cross_attention(const Tensor& tgt, const Tensor& memory,
                                                          const Tensor& tgt_mask = {}, const Tensor& memory_mask = {},
                                                          const Tensor& tgt_key_padding_mask = {},
                                                          const Tensor& memory_key_padding_mask = {});
  std::string extra_repr() const override;

  TransformerDecoderLayerOptions options;
  MultiheadAttention self_attn{nullptr};
  MultiheadAttention multihead_attn{nullptr};
  Linear linear1{nullptr};
  Dropout dropout{nullptr};
  Linear linear2{nullptr};
  LayerNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr};
  Dropout dropout1{nullptr}, dropout2{nullptr}, dropout3{nullptr};

 private:
  // What all three forwards run: -> (output, cross-attention weights if need_weights).
  std::tuple<Tensor, Tensor> run(const Tensor& tgt, const Tensor& memory, TransformerDecoderLayerCache& cache,
                                 const Tensor& tgt_mask, const Tensor& memory_mask, const Tensor& tgt_key_padding_mask,
                                 const Tensor& memory_key_padding_mask, bool need_weights);
};
AG_MODULE(TransformerDecoderLayer);

}  // namespace ag::nn
