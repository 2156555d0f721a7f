// Greedy and beam search over a batch, with cached (incremental) or recomputed decoding.
#include "search.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ag/core/autograd/grad_mode.h"
#include "ag/core/factory.h"
#include "ag/core/ops.h"
#include "ag/data/vocab.h"

namespace seq2seq {

using ag::Tensor;
using ag::data::Vocab;

namespace {

Tensor index_tensor(const std::vector<int64_t>& rows) {
  return ag::from_vector(rows, {static_cast<int64_t>(rows.size())});
}

// The decoder side of a search: N rows, each a prefix growing one token per step. Rows can be
// dropped or duplicated between steps (reorder), which is how finished sentences leave the batch
// and how beams fork.
class StepDecoder {
 public:
  StepDecoder(Seq2SeqImpl& model, Tensor memory, Tensor src_padding, bool incremental)
      : model_(model),
        memory_(std::move(memory)),
        src_padding_(std::move(src_padding)),
        incremental_(incremental),
        prefixes_(incremental ? 0 : memory_.size(0)) {}

  // The newest token of every row -> log-probabilities of the next token, (N,V).
  Tensor next_log_probs(const std::vector<int64_t>& tokens) {
    const int64_t n = static_cast<int64_t>(tokens.size());
    Tensor logits;
    if (incremental_) {
      logits = model_.decode_step(ag::from_vector(tokens, {n, 1}), memory_, src_padding_, cache_);
    } else {
      // Without a cache: append the token to each row's prefix and run the decoder over all of it.
      for (int64_t i = 0; i < n; ++i) prefixes_[i].push_back(tokens[i]);
      const int64_t t = static_cast<int64_t>(prefixes_.front().size());
      std::vector<int64_t> flat;
      for (const auto& prefix : prefixes_) flat.insert(flat.end(), prefix.begin(), prefix.end());
      logits = model_.decode(ag::from_vector(flat, {n, t}), memory_, src_padding_).narrow(1, t - 1, 1);
    }
    return ag::log_softmax(logits.reshape({n, logits.size(-1)}), 1);
  }

  // Keep the rows `rows` (in that order; a row may appear twice).
  void reorder(const std::vector<int64_t>& rows) {
    const Tensor index = index_tensor(rows);
    memory_ = ag::index_select(memory_, 0, index);
    src_padding_ = ag::index_select(src_padding_, 0, index);
    if (incremental_) {
      cache_.reorder(index);
    } else {
      std::vector<TokenIds> kept;
      for (int64_t r : rows) kept.push_back(prefixes_[r]);
      prefixes_ = std::move(kept);
    }
  }

 private:
  Seq2SeqImpl& model_;
  Tensor memory_, src_padding_;
  bool incremental_;
  ag::nn::TransformerDecoderCache cache_;
  std::vector<TokenIds> prefixes_;  // only without the cache
};

std::vector<TokenIds> greedy_steps(StepDecoder& decoder, int64_t batch, int64_t max_len) {
  std::vector<TokenIds> outputs(batch);
  std::vector<int64_t> live(batch);  // the sentence each decoder row belongs to
  for (int64_t b = 0; b < batch; ++b) live[b] = b;
  std::vector<int64_t> last(batch, Vocab::kBos);
  for (int64_t step = 0; step < max_len && !live.empty(); ++step) {
    const std::vector<int64_t> next = ag::argmax(decoder.next_log_probs(last), 1).to_vector<int64_t>();
    std::vector<int64_t> keep_rows, keep_live;
    for (size_t row = 0; row < live.size(); ++row) {
      if (next[row] == Vocab::kEos) continue;
      outputs[live[row]].push_back(next[row]);
      keep_rows.push_back(static_cast<int64_t>(row));
      keep_live.push_back(live[row]);
    }
    if (keep_rows.size() != live.size() && !keep_rows.empty()) decoder.reorder(keep_rows);
    live = std::move(keep_live);
    last.clear();
    for (int64_t row : keep_rows) last.push_back(next[row]);
  }
  return outputs;
}

struct Hypothesis {
  TokenIds tokens;
  double score = 0;  // total log-probability, <eos> included
  double normalized = 0;
};

// One extension of a live beam: beam `beam` of its sentence followed by `token`.
struct Candidate {
  double score;
  int64_t beam;
  int64_t token;
};

// The best `count` extensions of a sentence's beams, best first; ties go to the lower beam, then the
// lower token id, which is the order argmax breaks ties in, so one beam decodes exactly as greedy.
std::vector<Candidate> best_candidates(const float* log_probs, const std::vector<double>& scores, int64_t first_row,
                                       int64_t beams, int64_t vocab, size_t count) {
  auto better = [](const Candidate& a, const Candidate& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.beam != b.beam ? a.beam < b.beam : a.token < b.token;
  };
  std::vector<Candidate> heap;  // the best `count` so far, worst on top
  for (int64_t k = 0; k < beams; ++k) {
    const double base = scores[first_row + k];
    if (std::isinf(base)) continue;
    const float* row = log_probs + (first_row + k) * vocab;
    for (int64_t v = 0; v < vocab; ++v) {
      Candidate c{base + row[v], k, v};
      if (heap.size() < count) {
        heap.push_back(c);
        std::push_heap(heap.begin(), heap.end(), better);
      } else if (better(c, heap.front())) {
        std::pop_heap(heap.begin(), heap.end(), better);
        heap.back() = c;
        std::push_heap(heap.begin(), heap.end(), better);
      }
    }
  }
  std::sort(heap.begin(), heap.end(), better);
  return heap;
}

std::vector<TokenIds> beam_steps(StepDecoder& decoder, int64_t batch, const SearchOptions& options) {
  const int64_t beams = options.beam_size;
  // Ranked as fairseq does: by score / length^length_penalty, <eos> counted in the length.
  auto finish = [&](Hypothesis h, bool ended, std::vector<Hypothesis>& into) {
    const double length = static_cast<double>(h.tokens.size() + (ended ? 1 : 0));
    h.normalized = h.score / std::pow(std::max(length, 1.0), options.length_penalty);
    into.push_back(std::move(h));
  };
  std::vector<std::vector<Hypothesis>> finished(batch);
  std::vector<int64_t> live(batch);  // sentences still searching; each owns `beams` consecutive rows
  for (int64_t b = 0; b < batch; ++b) live[b] = b;
  std::vector<int64_t> rows;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t k = 0; k < beams; ++k) rows.push_back(b);
  decoder.reorder(rows);  // every sentence's memory repeated once per beam
  // Every beam starts as the same "<bos>"; only the first may extend, or the first step would fill
  // the beam with copies of one prefix.
  std::vector<double> scores(batch * beams, -std::numeric_limits<double>::infinity());
  for (int64_t b = 0; b < batch; ++b) scores[b * beams] = 0;
  std::vector<TokenIds> prefixes(batch * beams);
  std::vector<int64_t> last(batch * beams, Vocab::kBos);

  for (int64_t step = 0; step < options.max_len && !live.empty(); ++step) {
    const Tensor log_probs = decoder.next_log_probs(last).contiguous();
    const int64_t vocab = log_probs.size(1);
    const float* data = log_probs.data_ptr<float>();
    std::vector<int64_t> keep_rows, keep_live, next_last;
    std::vector<double> next_scores;
    std::vector<TokenIds> next_prefixes;
    for (size_t s = 0; s < live.size(); ++s) {
      const int64_t first_row = static_cast<int64_t>(s) * beams;
      auto& done = finished[live[s]];
      std::vector<int64_t> grown_rows, grown_tokens;
      std::vector<double> grown_scores;
      const auto candidates = best_candidates(data, scores, first_row, beams, vocab, 2 * beams);
      for (size_t rank = 0; rank < candidates.size() && static_cast<int64_t>(grown_rows.size()) < beams; ++rank) {
        const Candidate& c = candidates[rank];
        const TokenIds& prefix = prefixes[first_row + c.beam];
        if (c.token == Vocab::kEos) {
          // As fairseq: an <eos> counts only among the top `beams`; lower ones would crowd out beams.
          if (static_cast<int64_t>(rank) < beams) finish({prefix, c.score}, true, done);
          continue;
        }
        grown_rows.push_back(first_row + c.beam);
        grown_tokens.push_back(c.token);
        grown_scores.push_back(c.score);
      }
      const bool out_of_steps = step + 1 == options.max_len;
      if (static_cast<int64_t>(done.size()) >= beams) continue;
      if (out_of_steps) {  // what is still live is as long as it may get: finish it as it stands
        for (size_t i = 0; i < grown_rows.size(); ++i) {
          TokenIds tokens = prefixes[grown_rows[i]];
          tokens.push_back(grown_tokens[i]);
          finish({std::move(tokens), grown_scores[i]}, false, done);
        }
        continue;
      }
      keep_live.push_back(live[s]);
      for (size_t i = 0; i < grown_rows.size(); ++i) {
        keep_rows.push_back(grown_rows[i]);
        next_prefixes.push_back(prefixes[grown_rows[i]]);
        next_prefixes.back().push_back(grown_tokens[i]);
        next_scores.push_back(grown_scores[i]);
        next_last.push_back(grown_tokens[i]);
      }
      // Fewer than `beams` non-<eos> candidates (a tiny vocabulary): pad with dead beams.
      for (int64_t i = static_cast<int64_t>(grown_rows.size()); i < beams; ++i) {
        keep_rows.push_back(first_row);
        next_prefixes.push_back({});
        next_scores.push_back(-std::numeric_limits<double>::infinity());
        next_last.push_back(Vocab::kPad);
      }
    }
    live = std::move(keep_live);
    if (live.empty()) break;
    decoder.reorder(keep_rows);
    prefixes = std::move(next_prefixes);
    scores = std::move(next_scores);
    last = std::move(next_last);
  }

  std::vector<TokenIds> outputs(batch);
  for (int64_t b = 0; b < batch; ++b) {
    const auto& done = finished[b];
    auto best = std::max_element(done.begin(), done.end(), [](const Hypothesis& a, const Hypothesis& h) {
      return a.normalized < h.normalized;  // the first of equals wins
    });
    if (best != done.end()) outputs[b] = best->tokens;
  }
  return outputs;
}

// Checks the request, then runs `search` over the encoded batch with gradients off.
template <typename Search>
std::vector<TokenIds> run_search(Seq2SeqImpl& model, const Tensor& src, const Tensor& src_padding,
                                 const SearchOptions& options, Search&& search) {
  AG_CHECK(options.beam_size >= 1, "translate: --beam must be at least 1, got {}", options.beam_size);
  AG_CHECK(options.max_len >= 1, "translate: --max-len must be at least 1, got {}", options.max_len);
  AG_CHECK(src.size(1) <= model.config.max_positions,
           "translate: a source sentence has {} tokens but the model reads at most {}; split it into shorter "
           "sentences", src.size(1), model.config.max_positions);
  ag::NoGradGuard no_grad;
  SearchOptions bounded = options;
  bounded.max_len = std::min({options.max_len, model.config.max_positions, 2 * src.size(1) + 10});
  StepDecoder decoder(model, model.encode(src, src_padding), src_padding, options.incremental);
  return search(decoder, src.size(0), bounded);
}

}  // namespace

std::vector<TokenIds> greedy_search(Seq2SeqImpl& model, const Tensor& src, const Tensor& src_padding,
                                    const SearchOptions& options) {
  return run_search(model, src, src_padding, options, [](StepDecoder& decoder, int64_t batch, const SearchOptions& o) {
    return greedy_steps(decoder, batch, o.max_len);
  });
}

std::vector<TokenIds> beam_search(Seq2SeqImpl& model, const Tensor& src, const Tensor& src_padding,
                                  const SearchOptions& options) {
  return run_search(model, src, src_padding, options, beam_steps);
}

std::vector<TokenIds> translate_batch(Seq2SeqImpl& model, const Tensor& src, const Tensor& src_padding,
                                      const SearchOptions& options) {
  return options.beam_size == 1 ? greedy_search(model, src, src_padding, options)
                                : beam_search(model, src, src_padding, options);
}

}  // namespace seq2seq
