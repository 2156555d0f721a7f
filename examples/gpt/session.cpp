// Incremental generation with a key/value cache and a sliding window (see session.h).
#include "session.h"

#include "ag/core/autograd/grad_mode.h"
#include "ag/core/error.h"
#include "ag/core/factory.h"

namespace gpt {

Session::Session(GPT model, int64_t rows, bool use_cache, int64_t keep)
    : model_(std::move(model)), rows_(static_cast<size_t>(rows)), use_cache_(use_cache),
      keep_(keep == 0 ? std::max<int64_t>(1, model_->config.block_size / 2) : keep) {
  AG_CHECK(rows > 0, "generation: --num-samples ({}) must be positive", rows);
  check_fits(model_->config, rows, "--num-samples", /*training=*/false);
  AG_CHECK(keep_ >= 1 && keep_ <= model_->config.block_size,
           "generation: the window keeps {} tokens when it slides; give 1 to the context ({})", keep_,
           model_->config.block_size);
  cache_ = model_->make_cache();
}

void Session::append(std::span<const int64_t> tokens) {
  for (auto& row : rows_) row.insert(row.end(), tokens.begin(), tokens.end());
}

void Session::truncate(int64_t length) {
  AG_CHECK(length >= 0 && length <= this->length(), "generation: cannot cut {} tokens back to {}", this->length(),
           length);
  for (auto& row : rows_) row.resize(static_cast<size_t>(length));
  if (length < start_ + cached_) {  // the cache saw tokens that are gone: start over
    start_ = std::max<int64_t>(0, length - keep_);
    cached_ = 0;
    cache_ = model_->make_cache();
  }
}

ag::Tensor Session::next_logits() {
  AG_CHECK(length() > 0, "generation: there is no text to continue; give a prompt");
  ag::NoGradGuard no_grad;
  const int64_t block = model_->config.block_size;
  if (length() - start_ > block) {  // the window is full: slide it and recompute the cache
    start_ = length() - keep_;
    cached_ = 0;
    cache_ = model_->make_cache();
  }
  const int64_t from = start_ + cached_, T = length() - from;
  std::vector<int64_t> ids;
  for (const auto& row : rows_) ids.insert(ids.end(), row.begin() + from, row.end());
  const auto B = static_cast<int64_t>(rows_.size());
  const ag::Tensor logits = model_->forward(ag::from_vector(ids, {B, T}), use_cache_ ? &cache_ : nullptr);  // (B,T,V)
  if (use_cache_) cached_ += T;
  return logits.select(1, T - 1);  // (B,V)
}

std::vector<int64_t> Session::step(const SamplingOptions& options, ag::data::Rng& rng) {
  const std::vector<int64_t> next = sample_tokens(next_logits(), options, rng);
  for (size_t b = 0; b < rows_.size(); ++b) rows_[b].push_back(next[b]);
  return next;
}

}  // namespace gpt
