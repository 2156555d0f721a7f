// Transformer encoder and decoder layers: the sublayers, residual connections and norms.
#include "ag/nn/transformer_layer.h"

#include <functional>

#include "ag/core/ops.h"

namespace ag::nn {

namespace {

void check_options(const TransformerLayerOptions& o, const char* who) {
  AG_CHECK(o.activation() == "relu" || o.activation() == "gelu",
           "{}: activation must be \"relu\" or \"gelu\", got \"{}\"", who, o.activation());
  AG_CHECK(o.dim_feedforward() > 0, "{}: dim_feedforward must be positive, got {}", who, o.dim_feedforward());
}

MultiheadAttentionOptions attention_options(const TransformerLayerOptions& o) {
  return MultiheadAttentionOptions(o.d_model(), o.nhead()).dropout(o.dropout()).batch_first(o.batch_first());
}

LayerNorm make_norm(const TransformerLayerOptions& o) {
  return LayerNorm(LayerNormOptions({o.d_model()}).eps(o.layer_norm_eps()));
}

// linear1, dropout, linear2: the feed-forward block's modules, registered under PyTorch's names.
template <typename Layer>
void register_feed_forward(Layer& layer, const TransformerLayerOptions& o) {
  layer.linear1 = layer.register_module("linear1", Linear(o.d_model(), o.dim_feedforward()));
  layer.dropout = layer.register_module("dropout", Dropout(o.dropout()));
  layer.linear2 = layer.register_module("linear2", Linear(o.dim_feedforward(), o.d_model()));
}

// (..,E) -> (..,dim_feedforward) -> (..,E), the same MLP at every position.
template <typename Layer>
Tensor feed_forward(Layer& layer, const Tensor& x) {
  Tensor hidden = layer.linear1(x);
  hidden = layer.options.activation() == "gelu" ? gelu(hidden) : relu(hidden);
  return layer.linear2(layer.dropout(hidden));
}

// A sublayer in its residual connection: pre-LN x + dropout(f(norm(x))), post-LN norm(x + dropout(f(x))).
Tensor residual(const Tensor& x, LayerNorm& norm, Dropout& dropout, bool norm_first,
                const std::function<Tensor(const Tensor&)>& sublayer) {
  return norm_first ? x + dropout(sublayer(norm(x))) : norm(x + dropout(sublayer(x)));
}

}  // namespace

TransformerEncoderLayerImpl::TransformerEncoderLayerImpl(TransformerEncoderLayerOptions opts)
    : Cloneable("TransformerEncoderLayer"), options(std::move(opts)) {
  check_options(options, "TransformerEncoderLayer");
  reset();
}

void TransformerEncoderLayerImpl::reset() {
  self_attn = register_module("self_attn",
                              MultiheadAttention(attention_options(options).relative_position(options.relative_position())));
  register_feed_forward(*this, options);
  norm1 = register_module("norm1", make_norm(options));
  norm2 = register_module("norm2", make_norm(options));
  dropout1 = register_module("dropout1", Dropout(options.dropout()));
  dropout2 = register_module("dropout2", Dropout(options.dropout()));
}

Tensor TransformerEncoderLayerImpl::forward(const Tensor& src, const Tensor& src_mask,
                                            const Tensor& src_key_padding_mask) {
  const bool pre = options.norm_first();
  Tensor x = residual(src, norm1, dropout1, pre, [&](const Tensor& h) {
    return std::get<0>(self_attn(h, h, h, src_key_padding_mask, false, src_mask));
  });
  return residual(x, norm2, dropout2, pre, [&](const Tensor& h) { return feed_forward(*this, h); });
}

std::string TransformerEncoderLayerImpl::extra_repr() const {
  return fmt::format("norm_first={}, activation={}", options.norm_first(), options.activation());
}

TransformerDecoderLayerImpl::TransformerDecoderLayerImpl(TransformerDecoderLayerOptions opts)
    : Cloneable("TransformerDecoderLayer"), options(std::move(opts)) {
  check_options(options, "TransformerDecoderLayer");
  reset();
}

void TransformerDecoderLayerImpl::reset() {
  std::optional<RelativePositionOptions> relative = options.relative_position();
  if (relative) relative->bidirectional(false);  // causal self-attention: no key lies ahead
  self_attn = register_module("self_attn", MultiheadAttention(attention_options(options).relative_position(relative)));
  multihead_attn = register_module("multihead_attn", MultiheadAttention(attention_options(options)));
  register_feed_forward(*this, options);
  norm1 = register_module("norm1", make_norm(options));
  norm2 = register_module("norm2", make_norm(options));
  norm3 = register_module("norm3", make_norm(options));
  dropout1 = register_module("dropout1", Dropout(options.dropout()));
  dropout2 = register_module("dropout2", Dropout(options.dropout()));
  dropout3 = register_module("dropout3", Dropout(options.dropout()));
}

Tensor TransformerDecoderLayerImpl::forward(const Tensor& tgt, const Tensor& memory, const Tensor& tgt_mask,
                                            const Tensor& memory_mask, const Tensor& tgt_key_padding_mask,
                                            const Tensor& memory_key_padding_mask) {
  TransformerDecoderLayerCache fresh;  // the whole target at once is one step from an empty cache
  return std::get<0>(run(tgt, memory, fresh, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask,
                         false));
}

Tensor TransformerDecoderLayerImpl::forward_cached(const Tensor& tgt, const Tensor& memory,
                                                   TransformerDecoderLayerCache& cache, const Tensor& tgt_mask,
                                                   const Tensor& memory_mask, const Tensor& tgt_key_padding_mask,
                                                   const Tensor& memory_key_padding_mask) {
  return std::get<0>(run(tgt, memory, cache, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask,
                         false));
}

std::tuple<Tensor, Tensor> TransformerDecoderLayerImpl::forward_with_cross_attention(
    const Tensor& tgt, const Tensor& memory, const Tensor& tgt_mask, const Tensor& memory_mask,
    const Tensor& tgt_key_padding_mask, const Tensor& memory_key_padding_mask) {
  TransformerDecoderLayerCache fresh;
  return run(tgt, memory, fresh, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask, true);
}

std::tuple<Tensor, Tensor> TransformerDecoderLayerImpl::run(const Tensor& tgt, const Tensor& memory,
                                                            TransformerDecoderLayerCache& cache, const Tensor& tgt_mask,
                                                            const Tensor& memory_mask,
                                                            const Tensor& tgt_key_padding_mask,
                                                            const Tensor& memory_key_padding_mask, bool need_weights) {
  const bool pre = options.norm_first();
  Tensor x = residual(tgt, norm1, dropout1, pre, [&](const Tensor& h) {
    return std::get<0>(call_with_hooks(*self_attn, {h}, [&] {
      return self_attn->forward_cached(h, h, h, cache.self_attn, tgt_key_padding_mask, false, tgt_mask);
    }));
  });
  // The memory's keys and values are projected once, then reused from the cache.
  const Tensor new_memory = cache.cross_attn.size() == 0 ? memory : Tensor();
  Tensor cross_weights;
  x = residual(x, norm2, dropout2, pre, [&](const Tensor& h) {
    auto [out, weights] = call_with_hooks(*multihead_attn, {h, memory}, [&] {
      return multihead_attn->forward_cached(h, new_memory, new_memory, cache.cross_attn, memory_key_padding_mask,
                                            need_weights, memory_mask);
    });
    cross_weights = weights;
    return out;
  });
  return {residual(x, norm3, dropout3, pre, [&](const Tensor& h) { return feed_forward(*this, h); }), cross_weights};
}

std::string TransformerDecoderLayerImpl::extra_repr() const {
  return fmt::format("norm_first={}, activation={}", options.norm_first(), options.activation());
}

}  // namespace ag::nn
