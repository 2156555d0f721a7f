// Loss on random windows and on a whole text.
#include "evaluate.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "ag/core/autograd/grad_mode.h"
#include "ag/core/error.h"
#include "ag/core/factory.h"
#include "ag/data/utf8.h"
#include "ag/nn/functional/loss.h"

namespace gpt {

using ag::Tensor;

Tensor lm_loss(GPTImpl& model, const Tensor& x, const Tensor& y) {
  const Tensor logits = model.forward(x);  // (B,T,V)
  return ag::nn::functional::cross_entropy(logits.reshape({-1, logits.size(2)}), y.reshape({-1}));
}

namespace {

// Runs `f` in eval mode without gradients, then puts the model's mode back.
template <typename F>
auto evaluating(GPTImpl& model, F&& f) {
  const bool was_training = model.is_training();
  model.eval();
  ag::NoGradGuard no_grad;
  auto result = f();
  model.train(was_training);
  return result;
}

}  // namespace

double estimate_loss(GPTImpl& model, std::span<const int64_t> tokens, int64_t batches, int64_t batch_size,
                     uint64_t seed) {
  AG_CHECK(batches > 0, "evaluation: the number of batches ({}) must be positive", batches);
  return evaluating(model, [&] {
    Batcher batcher(tokens, batch_size, model.config.block_size, seed);
    double total = 0;
    for (int64_t i = 0; i < batches; ++i) {
      auto [x, y] = batcher.next();
      total += lm_loss(model, x, y).item();
    }
    return total / static_cast<double>(batches);
  });
}

TextScore score_text(GPTImpl& model, const Codec& codec, const std::string& text, int64_t batch_size) {
  const std::vector<int64_t> ids = codec.encode(text);
  AG_CHECK(ids.size() >= 2, "evaluation: the text has {} characters; at least 2 are needed to predict one",
           ids.size());
  const auto n = static_cast<int64_t>(ids.size()), T = model.config.block_size;
  // Window w covers tokens [w T, w T + T] (fewer in the last), predicting [w T + 1, ...].
  const int64_t windows = (n - 1 + T - 1) / T;
  double nats = 0;
  evaluating(model, [&] {
    for (int64_t first = 0; first < windows; first += batch_size) {
      const int64_t last = std::min(windows, first + batch_size);
      // Rows are padded to one length with the ignored target -100 (cross_entropy's ignore_index).
      const int64_t L = std::min(T, n - 1 - first * T);
      std::vector<int64_t> x, y;
      for (int64_t w = first; w < last; ++w)
        for (int64_t t = 0; t < L; ++t) {
          const int64_t i = w * T + t;
          x.push_back(i + 1 < n ? ids[static_cast<size_t>(i)] : 0);
          y.push_back(i + 1 < n ? ids[static_cast<size_t>(i + 1)] : -100);
        }
      const Tensor logits = model.forward(ag::from_vector(x, {last - first, L}));
      nats += ag::nn::functional::cross_entropy(logits.reshape({-1, logits.size(2)}), ag::from_vector(y, {static_cast<int64_t>(y.size())}), -100,
                                                0.0, "sum").item();
    }
    return 0;
  });
  TextScore score;
  score.tokens = n - 1;
  // <unk> decodes to nothing but stands for a character the vocabulary lacks: it counts as one.
  const auto spelled = [&](std::span<const int64_t> part) {
    return static_cast<int64_t>(ag::data::utf8::length(codec.decode(part))) +
           std::count(part.begin(), part.end(), ag::data::Vocab::kUnk);
  };
  score.characters = spelled(ids) - spelled(std::span(ids).first(1));
  AG_CHECK(score.characters > 0, "evaluation: the text's tokens after the first spell no character");
  score.loss = nats / static_cast<double>(score.tokens);
  score.perplexity = std::exp(score.loss);
  score.bits_per_char = nats / std::numbers::ln2 / static_cast<double>(score.characters);
  return score;
}

TextScore combine(std::span<const TextScore> scores) {
  TextScore all;
  double nats = 0;
  for (const TextScore& s : scores) {
    all.tokens += s.tokens, all.characters += s.characters;
    nats += s.loss * static_cast<double>(s.tokens);
  }
  AG_CHECK(all.tokens > 0, "evaluation: no text was scored");
  all.loss = nats / static_cast<double>(all.tokens);
  all.perplexity = std::exp(all.loss);
  all.bits_per_char = nats / std::numbers::ln2 / static_cast<double>(all.characters);
  return all;
}

}  // namespace gpt
