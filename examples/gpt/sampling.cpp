// Temperature, top-k and top-p sampling over one row of logits at a time.
#include "sampling.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ag/core/error.h"

namespace gpt {

void SamplingOptions::validate() const {
  AG_CHECK(temperature >= 0 && temperature <= 1000, "--temperature ({}) must be 0 (greedy) or positive, at most 1000",
           temperature);
  AG_CHECK(top_k >= 0 && top_k <= (int64_t{1} << 20), "--top-k ({}) must be 0 (no limit) or positive, at most 2^20",
           top_k);
  AG_CHECK(top_p > 0 && top_p <= 1, "--top-p ({}) must be in (0, 1]", top_p);
}

namespace {

int64_t argmax(std::span<const float> logits) {
  return std::max_element(logits.begin(), logits.end()) - logits.begin();  // the first of equals
}

// The tokens in decreasing logit order (ties by id) and their tempered probabilities, cut down by
// top-k and top-p.
struct Candidates {
  std::vector<int64_t> ids;
  std::vector<double> probs;  // not renormalised
};

Candidates candidates(std::span<const float> logits, const SamplingOptions& options) {
  const auto V = static_cast<int64_t>(logits.size());
  Candidates c;
  c.ids.resize(static_cast<size_t>(V));
  std::iota(c.ids.begin(), c.ids.end(), 0);
  const auto by_logit = [&](int64_t a, int64_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); };
  const int64_t k = options.top_k > 0 ? std::min(options.top_k, V) : V;
  std::partial_sort(c.ids.begin(), c.ids.begin() + k, c.ids.end(), by_logit);
  c.ids.resize(static_cast<size_t>(k));
  // Softmax of logits / temperature over the k kept, shifted by the largest for stability.
  const double top = logits[c.ids[0]];
  double total = 0;
  for (int64_t id : c.ids) total += c.probs.emplace_back(std::exp((logits[id] - top) / options.temperature));
  double cumulative = 0;
  size_t keep = 0;
  while (keep < c.ids.size() && (keep == 0 || cumulative < options.top_p * total)) cumulative += c.probs[keep++];
  c.ids.resize(keep);
  c.probs.resize(keep);
  return c;
}

}  // namespace

std::vector<int64_t> allowed_tokens(std::span<const float> logits, const SamplingOptions& options) {
  AG_CHECK(!logits.empty(), "sampling: no logits");
  if (options.temperature == 0) return {argmax(logits)};
  return candidates(logits, options).ids;
}

int64_t sample_token(std::span<const float> logits, const SamplingOptions& options, ag::data::Rng& rng) {
  AG_CHECK(!logits.empty(), "sampling: no logits");
  if (options.temperature == 0) return argmax(logits);
  const Candidates c = candidates(logits, options);
  const double total = std::accumulate(c.probs.begin(), c.probs.end(), 0.0);
  // A uniform double in [0, total) from the top 53 bits of the draw, then the first token whose
  // cumulative probability passes it.
  const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53 * total;
  double cumulative = 0;
  for (size_t i = 0; i < c.ids.size(); ++i) {
    cumulative += c.probs[i];
    if (u < cumulative) return c.ids[i];
  }
  return c.ids.back();  // u within rounding of total
}

std::vector<int64_t> sample_tokens(const ag::Tensor& logits, const SamplingOptions& options, ag::data::Rng& rng) {
  AG_CHECK(logits.dim() == 2 && logits.dtype() == ag::kFloat32, "sampling: logits must be (B,V) float32, got {}",
           ag::shape_str(logits.sizes()));
  const ag::Tensor rows = logits.contiguous();
  const auto B = static_cast<size_t>(rows.size(0)), V = static_cast<size_t>(rows.size(1));
  const float* data = rows.data_ptr<float>();
  std::vector<int64_t> out;
  for (size_t b = 0; b < B; ++b) out.push_back(sample_token({data + b * V, V}, options, rng));
  return out;
}

}  // namespace gpt
