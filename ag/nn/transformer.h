// The Transformer's stacks and the whole encoder-decoder, as torch.nn.TransformerEncoder,
// TransformerDecoder and Transformer (parameter names "encoder.layers.0.self_attn.in_proj_weight",
// "encoder.norm.weight", "decoder.layers.1.multihead_attn.out_proj.bias", ...).
//
//   src (S,B,E) -> encoder -> memory (S,B,E)
//   tgt (T,B,E), memory -> decoder -> (T,B,E)          (or (B,S,E), (B,T,E) with batch_first)
//
// The inputs are embeddings: token embedding, positional encoding and the output projection to
// the vocabulary are the model's, not the Transformer's, as in PyTorch.
//
// Differences from PyTorch: each layer of a stack is initialised independently (PyTorch deep-copies
// one layer, so a TransformerEncoder used alone starts with identical layers); a query whose keys
// are all masked gives zero attention rather than NaN (see nn/attention.h).
#pragma once
#include <vector>

#include "ag/nn/container.h"
#include "ag/nn/transformer_layer.h"

namespace ag::nn {

// (sz, sz) float: 0 on and below the diagonal, -inf above it, so position i attends to positions
// <= i only. The tgt_mask of a decoder trained with teacher forcing.
Tensor generate_square_subsequent_mask(int64_t sz, Dtype dtype = kFloat32);

class TransformerEncoderImpl : public Cloneable<TransformerEncoderImpl> {
 public:
  // num_layers layers built from `layer`; final_norm adds a LayerNorm after the last (PyTorch's
  // `norm`, which nn::Transformer always has).
  TransformerEncoderImpl(TransformerEncoderLayerOptions layer, int64_t num_layers, bool final_norm = false);
  void reset() override;  // registers the layers and the norm
  // src (S,B,E) -> (S,B,E); mask (S,S); src_key_padding_mask (B,S).
  Tensor forward(const Tensor& src, const Tensor& mask = {}, const Tensor& src_key_padding_mask = {});

  ModuleList layers;          // TransformerEncoderLayerImpl each
  LayerNorm norm{nullptr};    // empty without final_norm

 private:
  TransformerEncoderLayerOptions layer_options_;
  int64_t num_layers_;
  bool final_norm_;
};
AG_MODULE(TransformerEncoder);

// Every decoder layer's cache, for incremental decoding (see TransformerDecoderLayerCache).
struct TransformerDecoderCache {
  std::vector<TransformerDecoderLayerCache> layers;
  // Positions decoded so far.
  int64_t size() const { return layers.empty() ? 0 : layers.front().self_attn.size(); }
  void reorder(const Tensor& index) {  // beam search: keep the batch rows `index` (int64 (B'))
    for (auto& layer : layers) layer.reorder(index);
  }
};

class TransformerDecoderImpl : public Cloneable<TransformerDecoderImpl> {
 public:
  TransformerDecoderImpl(TransformerDecoderLayerOptions layer, int64_t num_layers, bool final_norm = false);
  void reset() override;  // registers the layers and the norm
  // tgt (T,B,E), memory (S,B,E) -> (T,B,E). Masks as in TransformerDecoderLayer.
  Tensor forward(const Tensor& tgt, const Tensor& memory, const Tensor& tgt_mask = {},
                 const Tensor& memory_mask = {}, const Tensor& tgt_key_padding_mask = {},
                 const Tensor& memory_key_padding_mask = {});
  // Incremental decoding: tgt holds only the new position(s), usually (1,B,E); returns their
  // outputs. The first call fills `cache` (memory is projected then), later ones extend it.
  // Outputs equal those of forward() on the whole prefix with a causal tgt_mask.
  Tensor forward_cached(const Tensor& tgt, const Tensor& memory, TransformerDecoderCache& cache,
                        const Tensor& memory_key_padding_mask = {});

  ModuleList layers;        // TransformerDecoderLayerImpl each
  LayerNorm norm{nullptr};  // empty without final_norm

 private:
  TransformerDecoderLayerOptions layer_options_;
  int64_t num_layers_;
  bool final_norm_;
};
AG_MODULE(TransformerDecoder);

struct TransformerOptions {
  TransformerOptions(int64_t d_model = 512, int64_t nhead = 8) : d_model_(d_model), nhead_(nhead) {}
  AG_ARG(int64_t, d_model);
  AG_ARG(int64_t, nhead);
  AG_ARG(int64_t, num_encoder_layers) = 6;
  AG_ARG(int64_t, num_decoder_layers) = 6;
  AG_ARG(int64_t, dim_feedforward) = 2048;
  AG_ARG(double, dropout) = 0.1;
  AG_ARG(std::string, activation) = "relu";
  AG_ARG(double, layer_norm_eps) = 1e-5;
  AG_ARG(bool, batch_first) = false;
  AG_ARG(bool, norm_first) = false;
  AG_ARG(std::optional<RelativePositionOptions>, relative_position) = std::nullopt;

 public:
  TransformerLayerOptions layer() const;  // the options every layer is built with
};

class TransformerImpl : public Cloneable<TransformerImpl> {
 public:
  explicit TransformerImpl(TransformerOptions options = {});
  void reset() override;  // registers encoder and decoder, then reset_parameters()

  // src (S,B,E), tgt (T,B,E) -> (T,B,E): decode(tgt, encode(src)).
  Tensor forward(const Tensor& src, const Tensor& tgt, const Tensor& src_mask = {}, const Tensor& tgt_mask = {},
                 const Tensor& memory_mask = {}, const Tensor& src_key_padding_mask = {},
                 const Tensor& tgt_key_padding_mask = {}, const Tensor& memory_key_padding_mask = {});
  // For inference: encode once, then decode (whole prefixes) or decode_step (cached, one step).
  Tensor encode(const Tensor& src, const Tensor& src_mask = {}, const Tensor& src_key_padding_mask = {});
  Tensor decode(const Tensor& tgt, const Tensor& memory, const Tensor& tgt_mask = {}, const Tensor& memory_mask = {},
                const Tensor& tgt_key_padding_mask = {}, const Tensor& memory_key_padding_mask = {});
  Tensor decode_step(const Tensor& tgt, const Tensor& memory, TransformerDecoderCache& cache,
                     const Tensor& memory_key_padding_mask = {});
  // PyTorch's _reset_parameters: Xavier-uniform for every parameter with 2 or more dims.
  void reset_parameters();
  // libtorch's spelling of the free function above: TransformerImpl::generate_square_subsequent_mask(T).
  static Tensor generate_square_subsequent_mask(int64_t sz, Dtype dtype = kFloat32) {
    return nn::generate_square_subsequent_mask(sz, dtype);
  }

  TransformerOptions options;
  TransformerEncoder encoder{nullptr};
  TransformerDecoder decoder{nullptr};
};
AG_MODULE(Transformer);

}  // namespace ag::nn
