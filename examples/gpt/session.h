// A running text for the model to continue: B rows that share one length (one prompt sampled B
// ways, or a chat), the model's cache over them, and the sliding window beyond its context.
//
//   Session s(model, /*rows=*/1);
//   s.append(codec.encode("ROMEO:\n"));
//   TextStream text(codec, s.row(0));
//   for (int i = 0; i < 100; ++i) s.step(sampling, rng), std::cout << text.next(s.row(0));
//
// Each step runs the model only over the tokens the cache has not seen, usually the one sampled
// last, so a token costs time linear in the context instead of quadratic.
//
// The window. Positions are absolute (learned wpe), so once the text outgrows block_size the oldest
// tokens must go, and every cached key and value, computed at its old position, is stale. The
// window then moves to the last `keep` tokens and the cache is recomputed over them in one pass;
// the next block_size - keep tokens are incremental again. keep = block_size is nanoGPT's crop (the
// model always sees a full window, but past the context every token costs a full recompute);
// the default, block_size / 2, recomputes once every block_size / 2 tokens. Without the cache the
// same window is used, so cached and uncached generation give the same tokens.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "model.h"
#include "sampling.h"

namespace gpt {

class Session {
 public:
  // keep: tokens kept when the window slides, in [1, block_size]; 0 for block_size / 2.
  Session(GPT model, int64_t rows, bool use_cache = true, int64_t keep = 0);

  void append(std::span<const int64_t> tokens);  // the same tokens at the end of every row
  // Samples the next token of every row (B of them), appends and returns them. Needs a non-empty text.
  std::vector<int64_t> step(const SamplingOptions& options, ag::data::Rng& rng);
  // Cuts every row back to its first `length` tokens (chat takes back a speaker line it overheard).
  void truncate(int64_t length);

  int64_t length() const { return static_cast<int64_t>(rows_[0].size()); }
  const std::vector<int64_t>& row(size_t b) const { return rows_[b]; }
  // The next-token logits (B,V) for the text so far.
  ag::Tensor next_logits();

 private:
  GPT model_;
  std::vector<std::vector<int64_t>> rows_;
  bool use_cache_;
  int64_t keep_;
  int64_t start_ = 0;   // the window's first token
  Cache cache_;         // keys and values of tokens [start_, start_ + cached_)
  int64_t cached_ = 0;
};

}  // namespace gpt
