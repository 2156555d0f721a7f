// Decoding: turning a trained model and a batch of source sentences into target token ids.
//
//   greedy  takes the most likely token at every step (beam search with one beam)
//   beam    keeps the `beam_size` best prefixes of every sentence (Sutskever et al. 2014; the
//           bookkeeping follows fairseq's SequenceGenerator): each step scores every extension
//           of every live prefix, prefixes that end in <eos> are set aside as finished, and the
//           best others stay live. A sentence is done once it has beam_size finished hypotheses.
//           Finished hypotheses are ranked by score / length^length_penalty, so a penalty above 0
//           stops short outputs from winning only because they add fewer negative log-probabilities.
//
// Both decode incrementally: each step feeds only the newest token, and every decoder layer
// caches the keys and values of the earlier ones (nn::TransformerDecoderCache), so a step costs
// time linear in the prefix length. `incremental = false` recomputes the whole prefix every step
// instead (quadratic), which is how the tests check the cache.
//
// Outputs are token ids without <bos> and <eos>.
#pragma once
#include <cstdint>
#include <vector>

#include "model.h"

namespace seq2seq {

using TokenIds = std::vector<int64_t>;

struct SearchOptions {
  int64_t beam_size = 1;        // 1 is greedy search
  double length_penalty = 1.0;  // alpha in score / length^alpha; 0 ranks by total log-probability
  // Most target tokens per sentence (<eos> not counted); never more than 2 * source length + 10
  // (Marian and fairseq bound it by the source too), so an untrained model cannot run on for long.
  int64_t max_len = 200;
  bool incremental = true;      // cache keys and values (false: recompute the prefix each step)
};

// src (B,S) ids and src_padding (B,S) bool (true = padding) -> B token sequences: greedy_search
// with one beam, beam_search with more. Runs with gradients off; the caller puts the model in
// eval mode.
std::vector<TokenIds> translate_batch(Seq2SeqImpl& model, const ag::Tensor& src, const ag::Tensor& src_padding,
                                      const SearchOptions& options);

// The two searches themselves (beam_size is ignored by greedy_search).
std::vector<TokenIds> greedy_search(Seq2SeqImpl& model, const ag::Tensor& src, const ag::Tensor& src_padding,
                                    const SearchOptions& options);
std::vector<TokenIds> beam_search(Seq2SeqImpl& model, const ag::Tensor& src, const ag::Tensor& src_padding,
                                  const SearchOptions& options);

}  // namespace seq2seq
