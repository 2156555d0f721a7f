// Transformer stacks and the encoder-decoder: layers applied in turn, then the optional final norm.
#include "ag/nn/transformer.h"

#include <limits>

#include "ag/core/factory.h"
#include "ag/core/ops.h"
#include "ag/nn/init.h"

namespace ag::nn {

Tensor generate_square_subsequent_mask(int64_t sz, Dtype dtype) {
  AG_CHECK(sz >= 0, "generate_square_subsequent_mask: size must be non-negative, got {}", sz);
  std::vector<double> mask(sz * sz, 0.0);
  for (int64_t i = 0; i < sz; ++i)
    for (int64_t j = i + 1; j < sz; ++j) mask[i * sz + j] = -std::numeric_limits<double>::infinity();
  return from_vector(mask, {sz, sz}).to(dtype);
}

namespace {

// num_layers fresh layers in a ModuleList, and the final LayerNorm if asked for.
template <typename LayerHolder>
void build_stack(Module& stack, ModuleList& layers, LayerNorm& norm, const TransformerLayerOptions& layer,
                 int64_t num_layers, bool final_norm) {
  AG_CHECK(num_layers >= 0, "{}: num_layers must be non-negative, got {}", stack.type_name(), num_layers);
  layers = stack.register_module("layers", ModuleList());
  for (int64_t i = 0; i < num_layers; ++i) layers->push_back(LayerHolder(layer));
  if (final_norm)
    norm = stack.register_module("norm", LayerNorm(LayerNormOptions({layer.d_model()}).eps(layer.layer_norm_eps())));
}

}  // namespace

TransformerEncoderImpl::TransformerEncoderImpl(TransformerEncoderLayerOptions layer, int64_t num_layers,
                                               bool final_norm)
    : Cloneable("TransformerEncoder"), layer_options_(std::move(layer)), num_layers_(num_layers),
      final_norm_(final_norm) {
  reset();
}

void TransformerEncoderImpl::reset() {
  build_stack<TransformerEncoderLayer>(*this, layers, norm, layer_options_, num_layers_, final_norm_);
}

Tensor TransformerEncoderImpl::forward(const Tensor& src, const Tensor& mask, const Tensor& src_key_padding_mask) {
  Tensor x = src;
  for (size_t i = 0; i < layers->size(); ++i)
    x = call_module(*layers->ptr<TransformerEncoderLayerImpl>(i), x, mask, src_key_padding_mask);
  return norm ? norm(x) : x;
}

TransformerDecoderImpl::TransformerDecoderImpl(TransformerDecoderLayerOptions layer, int64_t num_layers,
                                               bool final_norm)
    : Cloneable("TransformerDecoder"), layer_options_(std::move(layer)), num_layers_(num_layers),
      final_norm_(final_norm) {
  reset();
}

void TransformerDecoderImpl::reset() {
  build_stack<TransformerDecoderLayer>(*this, layers, norm, layer_options_, num_layers_, final_norm_);
}

Tensor TransformerDecoderImpl::forward(const Tensor& tgt, const Tensor& memory, const Tensor& tgt_mask,
                                       const Tensor& memory_mask, const Tensor& tgt_key_padding_mask,
                                       const Tensor& memory_key_padding_mask) {
  Tensor x = tgt;
  for (size_t i = 0; i < layers->size(); ++i)
    x = call_module(*layers->ptr<TransformerDecoderLayerImpl>(i), x, memory, tgt_mask, memory_mask,
                    tgt_key_padding_mask, memory_key_padding_mask);
  return norm ? norm(x) : x;
}

Tensor TransformerDecoderImpl::forward_cached(const Tensor& tgt, const Tensor& memory, TransformerDecoderCache& cache,
                                              const Tensor& memory_key_padding_mask) {
  AG_CHECK(cache.layers.empty() || cache.layers.size() == layers->size(),
           "TransformerDecoder: the cache holds {} layers but the decoder has {}; use a fresh cache per decoder",
           cache.layers.size(), layers->size());
  cache.layers.resize(layers->size());
  Tensor x = tgt;
  for (size_t i = 0; i < layers->size(); ++i) {
    auto& layer = *layers->ptr<TransformerDecoderLayerImpl>(i);
    x = call_with_hooks(layer, {x, memory}, [&] {
      return layer.forward_cached(x, memory, cache.layers[i], {}, {}, {}, memory_key_padding_mask);
    });
  }
  return norm ? norm(x) : x;
}

TransformerLayerOptions TransformerOptions::layer() const {
  return TransformerLayerOptions(d_model(), nhead())
      .dim_feedforward(dim_feedforward())
      .dropout(dropout())
      .activation(activation())
      .layer_norm_eps(layer_norm_eps())
      .batch_first(batch_first())
      .norm_first(norm_first())
      .relative_position(relative_position());
}

TransformerImpl::TransformerImpl(TransformerOptions opts) : Cloneable("Transformer"), options(std::move(opts)) {
  reset();
}

void TransformerImpl::reset() {
  encoder = register_module("encoder", TransformerEncoder(options.layer(), options.num_encoder_layers(), true));
  decoder = register_module("decoder", TransformerDecoder(options.layer(), options.num_decoder_layers(), true));
  reset_parameters();
}

void TransformerImpl::reset_parameters() {
  for (const Tensor& p : parameters())
    if (p.dim() > 1) init::xavier_uniform_(p);
}

Tensor TransformerImpl::forward(const Tensor& src, const Tensor& tgt, const Tensor& src_mask, const Tensor& tgt_mask,
                                const Tensor& memory_mask, const Tensor& src_key_padding_mask,
                                const Tensor& tgt_key_padding_mask, const Tensor& memory_key_padding_mask) {
  AG_CHECK(src.defined() && tgt.defined() && src.dim() == tgt.dim(),
           "Transformer: src and tgt must both be batched or both unbatched");
  const int64_t batch_dim = options.batch_first() ? 0 : 1;
  AG_CHECK(src.dim() == 2 || src.size(batch_dim) == tgt.size(batch_dim),
           "Transformer: src {} and tgt {} must have the same batch size (dim {})", shape_str(src.sizes()),
           shape_str(tgt.sizes()), batch_dim);
  AG_CHECK(src.size(-1) == options.d_model() && tgt.size(-1) == options.d_model(),
           "Transformer: src {} and tgt {} must have d_model = {} features", shape_str(src.sizes()),
           shape_str(tgt.sizes()), options.d_model());
  Tensor memory = encode(src, src_mask, src_key_padding_mask);
  return decode(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask);
}

Tensor TransformerImpl::encode(const Tensor& src, const Tensor& src_mask, const Tensor& src_key_padding_mask) {
  return encoder(src, src_mask, src_key_padding_mask);
}

Tensor TransformerImpl::decode(const Tensor& tgt, const Tensor& memory, const Tensor& tgt_mask,
                               const Tensor& memory_mask, const Tensor& tgt_key_padding_mask,
                               const Tensor& memory_key_padding_mask) {
  return decoder(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask);
}

Tensor TransformerImpl::decode_step(const Tensor& tgt, const Tensor& memory, TransformerDecoderCache& cache,
                                    const Tensor& memory_key_padding_mask) {
  return decoder->forward_cached(tgt, memory, cache, memory_key_padding_mask);
}

}  // namespace ag::nn
