// MultiheadAttention, as torch.nn.MultiheadAttention (Vaswani et al. 2017, section 3.2.2):
//     MultiHead(Q, K, V) = Concat(head_1..head_H) W_O,  head_h = Attention(Q W_Q^h, K W_K^h, V W_V^h)
// Each of the H heads attends in its own D = E/H dims; all heads run in one batched gemm over
// (batch x heads) through functional::scaled_dot_product_attention.
//
// Parameters, named and laid out as PyTorch's so state dicts move between the two:
//     in_proj_weight (3E,E)   W_Q, W_K, W_V stacked; Xavier-uniform
//                             (q_proj_weight (E,E), k_proj_weight (E,kdim), v_proj_weight (E,vdim)
//                             instead when kdim or vdim differs from E)
//     in_proj_bias (3E)       zeros
//     out_proj.weight (E,E), out_proj.bias (E)   a Linear, bias zeroed
//     relative_attention_bias.weight             only with options.relative_position (T5's bias)
//
// Shapes: query (L,B,E), key (S,B,kdim), value (S,B,vdim) -> output (L,B,E); with batch_first
// (B,L,E) etc.; unbatched (L,E), (S,kdim), (S,vdim) -> (L,E) also works.
// Masks use PyTorch's MultiheadAttention convention: for a bool mask, true = NOT allowed.
//     key_padding_mask  (B,S): true marks a padded key, which no query may attend to
//     attn_mask         (L,S) or (B*H,L,S): bool (true = not allowed), or float (added to the scores)
// Where every key of a query is masked, PyTorch returns NaN; ag gives that query zero attention
// weights, so its output is out_proj.bias and no gradient flows back through its attention.
#pragma once
#include <optional>
#include <tuple>

#include "ag/nn/linear.h"
#include "ag/nn/module.h"
#include "ag/nn/positional.h"

namespace ag::nn {

struct MultiheadAttentionOptions {
  MultiheadAttentionOptions(int64_t embed_dim, int64_t num_heads)
      : embed_dim_(embed_dim), num_heads_(num_heads), kdim_(embed_dim), vdim_(embed_dim) {}
  AG_ARG(int64_t, embed_dim);
  AG_ARG(int64_t, num_heads);
  AG_ARG(double, dropout) = 0.0;  // on the attention weights, in training only
  AG_ARG(bool, bias) = true;
  AG_ARG(int64_t, kdim);
  AG_ARG(int64_t, vdim);
  AG_ARG(bool, batch_first) = false;
  // T5-style learned relative position bias on the scores (self-attention only). Off by default.
  AG_ARG(std::optional<RelativePositionOptions>, relative_position) = std::nullopt;
};

// Projected keys and values kept between the steps of incremental decoding, so step t costs
// O(t) instead of re-running attention over the whole prefix.
//   self-attention:  each step passes the new token as query, key and value; its projected key
//                    and value are appended to the cache, and the query attends to all of it.
//   cross-attention: the first step passes the encoder memory as key and value, which fills the
//                    cache; later steps pass undefined key and value and reuse it.
struct KVCache {
  Tensor key;    // (B,H,S,D)
  Tensor value;  // (B,H,S,D)
  int64_t size() const { return key.defined() ? key.size(2) : 0; }  // S, the positions cached
  // Beam search: keep the batch rows `index` (int64 (B')), e.g. the beams that survived a step.
  void reorder(const Tensor& index);
};

class MultiheadAttentionImpl : public Cloneable<MultiheadAttentionImpl> {
 public:
  explicit MultiheadAttentionImpl(MultiheadAttentionOptions options);
  MultiheadAttentionImpl(int64_t embed_dim, int64_t num_heads, double dropout = 0.0, bool bias = true,
                         bool batch_first = false)
      : MultiheadAttentionImpl(
            MultiheadAttentionOptions(embed_dim, num_heads).dropout(dropout).bias(bias).batch_first(batch_first)) {}

  // -> (output, weights). weights are (B,L,S) averaged over heads, or (B,H,L,S) per head with
  // average_attn_weights = false, or undefined when need_weights is false (as PyTorch's None).
  std::tuple<Tensor, Tensor> forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                     const Tensor& key_padding_mask = {}, bool need_weights = true,
                                     const Tensor& attn_mask = {}, bool average_attn_weights = true);

  // The incremental form (see KVCache). query holds only the new positions (L of them); the keys
  // are the cache's S positions, so key_padding_mask must be (B,S) and attn_mask (L,S) over them
  // all. The L queries are taken to be the last L positions (for the relative position bias).
  std::tuple<Tensor, Tensor> forward_cached(const Tensor& query, const Tensor& key, const Tensor& value,
                                            KVCache& cache, const Tensor& key_padding_mask = {},
                                            bool need_weights = false, const Tensor& attn_mask = {},
                                            bool average_attn_weights = true);

  void reset() override;    // registers the projections (and relative bias), then reset_parameters()
  void reset_parameters();  // PyTorch's _reset_parameters: Xavier-uniform projections, zero biases
  std::string extra_repr() const override;

  MultiheadAttentionOptions options;
  Tensor in_proj_weight;                               // (3E,E), when kdim == vdim == E
  Tensor q_proj_weight, k_proj_weight, v_proj_weight;  // otherwise
  Tensor in_proj_bias;                                 // (3E), undefined without bias
  Linear out_proj{nullptr};
  RelativePositionBias relative_attention_bias{nullptr};  // with options.relative_position only

 private:
  bool packed() const { return in_proj_weight.defined(); }
  // x (..,in) -> (..,E) through rows [which*E, (which+1)*E) of the stacked projection.
  Tensor project(const Tensor& x, int64_t which) const;
  // The additive bias (broadcastable to (B,H,L,S)) that all masks and the position bias add up to.
  Tensor combined_bias(const Tensor& key_padding_mask, const Tensor& attn_mask, int64_t batch, int64_t L,
                       int64_t S, Dtype dtype);
};
AG_MODULE(MultiheadAttention);

}  // namespace ag::nn
