// Position information for attention, which by itself cannot tell word order apart.
//
//   SinusoidalPositionalEncoding  fixed sines and cosines added to the embeddings
//                                 (Vaswani et al. 2017, section 3.5), a buffer `pe`
//   LearnedPositionalEmbedding    a trained table of one vector per position (as BERT and GPT), `weight`
//   RelativePositionBias          T5's learned per-head bias on the attention scores, indexed by the
//                                 bucketed distance between query and key (Raffel et al. 2020,
//                                 section 2.1), `weight`
//
// The first two add to a (T,B,E) sequence, or (B,T,E) with batch_first; `offset` is the position of
// the first step, so an incremental decoder feeding one token at a time passes its step number.
// The relative bias is not added to the input: MultiheadAttention adds it to the scores when built
// with a RelativePositionOptions (see nn/attention.h).
#pragma once
#include <cstdint>

#include "ag/nn/module.h"

namespace ag::nn {

struct SinusoidalPositionalEncodingOptions {
  explicit SinusoidalPositionalEncodingOptions(int64_t d_model) : d_model_(d_model) {}
  AG_ARG(int64_t, d_model);
  AG_ARG(int64_t, max_len) = 5000;
  AG_ARG(double, dropout) = 0.1;
  AG_ARG(bool, batch_first) = false;
};

// pe[pos, 2i] = sin(pos / 10000^(2i/d)), pe[pos, 2i+1] = cos(pos / 10000^(2i/d)). The embeddings
// are usually scaled by sqrt(d_model) before this is added (the caller's choice, as in the paper).
class SinusoidalPositionalEncodingImpl : public Module {
 public:
  explicit SinusoidalPositionalEncodingImpl(SinusoidalPositionalEncodingOptions options);
  SinusoidalPositionalEncodingImpl(int64_t d_model, int64_t max_len = 5000, double dropout = 0.1)
      : SinusoidalPositionalEncodingImpl(
            SinusoidalPositionalEncodingOptions(d_model).max_len(max_len).dropout(dropout)) {}
  // x (T,B,E) or (B,T,E) with batch_first, or unbatched (T,E) -> the same shape:
  // dropout(x + pe[offset : offset + T]).
  Tensor forward(const Tensor& x, int64_t offset = 0);
  std::string extra_repr() const override;

  SinusoidalPositionalEncodingOptions options;
  Tensor pe;  // (max_len, d_model), a buffer: saved in the state_dict, never trained
};
AG_MODULE(SinusoidalPositionalEncoding);

struct LearnedPositionalEmbeddingOptions {
  LearnedPositionalEmbeddingOptions(int64_t max_len, int64_t d_model) : max_len_(max_len), d_model_(d_model) {}
  AG_ARG(int64_t, max_len);
  AG_ARG(int64_t, d_model);
  AG_ARG(bool, batch_first) = false;
};

// One trained vector per position, initialised N(0, 1) as torch.nn.Embedding.
class LearnedPositionalEmbeddingImpl : public Module {
 public:
  explicit LearnedPositionalEmbeddingImpl(LearnedPositionalEmbeddingOptions options);
  LearnedPositionalEmbeddingImpl(int64_t max_len, int64_t d_model)
      : LearnedPositionalEmbeddingImpl(LearnedPositionalEmbeddingOptions(max_len, d_model)) {}
  // x (T,B,E) or (B,T,E) with batch_first, or unbatched (T,E) -> x + weight[offset : offset + T].
  Tensor forward(const Tensor& x, int64_t offset = 0);
  std::string extra_repr() const override;

  LearnedPositionalEmbeddingOptions options;
  Tensor weight;  // (max_len, d_model)
};
AG_MODULE(LearnedPositionalEmbedding);

// How attention buckets relative distances (T5's defaults). Keys closer than num_buckets/2 (or a
// quarter of the buckets each side, when bidirectional) get a bucket each; farther ones share
// logarithmically wider buckets up to max_distance, beyond which all share the last.
// bidirectional = false (a causal decoder) gives every key after the query bucket 0.
struct RelativePositionOptions {
  AG_ARG(int64_t, num_buckets) = 32;
  AG_ARG(int64_t, max_distance) = 128;
  AG_ARG(bool, bidirectional) = true;
};

// The bucket of a key at `relative_position` = key position - query position (T5's
// _relative_position_bucket).
int64_t relative_position_bucket(int64_t relative_position, const RelativePositionOptions& options);

class RelativePositionBiasImpl : public Module {
 public:
  RelativePositionBiasImpl(RelativePositionOptions options, int64_t num_heads);
  RelativePositionBiasImpl(int64_t num_buckets, int64_t max_distance, int64_t num_heads, bool bidirectional = true)
      : RelativePositionBiasImpl(
            RelativePositionOptions().num_buckets(num_buckets).max_distance(max_distance).bidirectional(bidirectional),
            num_heads) {}
  // -> (H, L, S): the bias of query l against key s, to be added to the attention scores. The L
  // queries are the last L of the S key positions (L = S in a full pass; L = 1 for a cached step).
  Tensor forward(int64_t query_length, int64_t key_length);
  std::string extra_repr() const override;

  RelativePositionOptions options;
  int64_t num_heads;
  // (num_buckets, num_heads), T5's relative_attention_bias.weight. Zero at first, so a new model
  // starts as plain content attention; every bucket in use gets a gradient from the first step.
  Tensor weight;
};
AG_MODULE(RelativePositionBias);

}  // namespace ag::nn
