// Scaled dot-product attention (Vaswani et al. 2017, "Attention Is All You Need", eq. 1):
//     Attention(Q, K, V) = softmax(Q K^T / sqrt(E) + mask) V
// for any number of leading batch dims, e.g. (batch, heads):
//     q (..,L,E) x k (..,S,E)^T -> scores (..,L,S);  weights (..,L,S) x v (..,S,Ev) -> (..,L,Ev)
// The two products are batched BLAS gemms (ag::matmul over transposed views, no copies); scale,
// mask and softmax in between are one fused op (attention.cpp: reference loop, kernel, backward).
//
// Masks follow torch.nn.functional.scaled_dot_product_attention: a bool mask says where attention
// may go (true = take part); a float mask is added to the scores (-inf hides a key, other values
// bias it, and its gradient is computed, which is how learned position biases train). Either kind
// broadcasts to (..,L,S). Note that nn::MultiheadAttention uses PyTorch's MHA convention instead,
// where a bool attn_mask or key_padding_mask marks what must NOT be attended.
//
// A fully masked query row: where PyTorch returns NaN, ag returns attention weights of zero for
// that row, so its output is zero and no gradient flows through it.
#pragma once
#include <optional>
#include <tuple>

#include "ag/core/tensor.h"

namespace ag::nn::functional {

// q (..,L,E), k (..,S,E), v (..,S,Ev) -> (..,L,Ev); the batch dims of the three broadcast.
// dropout_p drops attention weights (pass 0 when not training, as with PyTorch's function).
// is_causal hides key s from query l when s > l. scale defaults to 1/sqrt(E).
Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                                    const Tensor& attn_mask = {}, double dropout_p = 0,
                                    bool is_causal = false, std::optional<double> scale = std::nullopt);

// The same, also returning the attention weights (..,L,S) as used to mix v (after dropout, as
// PyTorch's MultiheadAttention returns them). Both outputs are differentiable.
std::tuple<Tensor, Tensor> scaled_dot_product_attention_with_weights(
    const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& attn_mask = {}, double dropout_p = 0,
    bool is_causal = false, std::optional<double> scale = std::nullopt);

// The fused step: softmax(scale * scores + bias) along the last dim, is_causal as above, with
// all-zero rows where every key is hidden. scores (..,L,S); bias (float, may be undefined)
// broadcasts to scores. Differentiable in scores and bias.
Tensor attention_softmax(const Tensor& scores, const Tensor& bias, double scale, bool is_causal);

// A bool mask where true means "hidden", as the additive float mask of the same shape that
// attention adds to its scores: -inf where hidden, 0 elsewhere.
Tensor mask_to_bias(const Tensor& hidden, Dtype dtype);

}  // namespace ag::nn::functional
