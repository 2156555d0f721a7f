// Choosing the next token from a model's logits: temperature, top-k and top-p (nucleus) sampling.
//
//   temperature 0          the most likely token (greedy; ties go to the lowest id)
//   temperature t > 0      sample from softmax(logits / t)
//   top_k k > 0            only the k most likely tokens may be drawn
//   top_p p < 1            only the smallest set of most likely tokens whose probabilities add up
//                          to at least p (Holtzman et al. 2020, "The Curious Case of Neural Text
//                          Degeneration"); the most likely token always qualifies
// Both filters apply to the tempered distribution, top-k first (as Hugging Face's generate), and
// the survivors are renormalised.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "ag/core/tensor.h"
#include "ag/data/random.h"

namespace gpt {

struct SamplingOptions {
  double temperature = 1.0;
  int64_t top_k = 0;   // 0: no limit
  double top_p = 1.0;  // 1: no limit

  void validate() const;  // throws an ag::Error naming a bad flag
};

// The ids that may be drawn from `logits` (V), in decreasing probability.
std::vector<int64_t> allowed_tokens(std::span<const float> logits, const SamplingOptions& options);

// One token from logits (V).
int64_t sample_token(std::span<const float> logits, const SamplingOptions& options, ag::data::Rng& rng);

// One token per row of logits (B,V) float32, row after row from the same generator.
std::vector<int64_t> sample_tokens(const ag::Tensor& logits, const SamplingOptions& options, ag::data::Rng& rng);

}  // namespace gpt
