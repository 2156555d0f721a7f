// BLEU's statistics and score, following sacreBLEU's metrics/bleu.py line by line; see bleu.h.
#include "ag/data/bleu.h"

#include <fmt/format.h>

#include <cmath>
#include <unordered_map>

#include "ag/core/error.h"
#include "ag/data/tokenizer_13a.h"
#include "ag/data/utf8.h"

namespace ag::data {
namespace {

using NgramCounts = std::vector<std::unordered_map<std::string, int64_t>>;  // [n - 1][n-gram]

// The sums over the corpus that BLEU is computed from.
struct BleuStats {
  int64_t sys_len = 0, ref_len = 0;
  std::vector<int64_t> correct, total;
};

void check_options(const BleuOptions& o) {
  AG_CHECK(o.tokenize == "13a" || o.tokenize == "none", "BLEU: unknown tokenizer '{}'; choose 13a or none", o.tokenize);
  AG_CHECK(o.smooth == "exp" || o.smooth == "none" || o.smooth == "floor" || o.smooth == "add-k",
           "BLEU: unknown smoothing '{}'; choose exp, none, floor or add-k", o.smooth);
  AG_CHECK(o.max_order >= 1, "BLEU: max_order must be at least 1, got {}", o.max_order);
}

double smooth_value(const BleuOptions& o) {
  if (o.smooth_value >= 0) return o.smooth_value;
  return o.smooth == "floor" ? 0.1 : 1.0;
}

// sacreBLEU's _preprocess_segment, then str.split().
std::vector<std::string> tokens_of(std::string_view line, const BleuOptions& o) {
  const std::string lowered = o.lowercase ? utf8::lowercase(line) : std::string(line);
  const std::string_view trimmed = utf8::rstrip(lowered);
  return utf8::split_whitespace(o.tokenize == "13a" ? tokenize_13a(trimmed) : std::string(trimmed));
}

NgramCounts count_ngrams(const std::vector<std::string>& tokens, int max_order) {
  NgramCounts counts(static_cast<size_t>(max_order));
  for (size_t n = 1; n <= counts.size(); ++n) {
    for (size_t i = 0; i + n <= tokens.size(); ++i) {
      std::string key = tokens[i];
      for (size_t j = 1; j < n; ++j) key.append(1, ' ').append(tokens[i + j]);  // tokens hold no spaces
      ++counts[n - 1][key];
    }
  }
  return counts;
}

// The reference length closest to the hypothesis length; a tie goes to the shorter reference.
int64_t closest_ref_len(int64_t hyp_len, const std::vector<int64_t>& ref_lens) {
  int64_t best_diff = -1, best_len = -1;
  for (int64_t len : ref_lens) {
    const int64_t diff = std::abs(hyp_len - len);
    if (best_diff == -1 || diff < best_diff || (diff == best_diff && len < best_len)) best_diff = diff, best_len = len;
  }
  return best_len;
}

// Adds one segment: hypothesis n-grams are clipped by their largest count in any one reference.
void add_segment(BleuStats& stats, const std::string& hypothesis, const std::vector<const std::string*>& refs,
                 const BleuOptions& o) {
  NgramCounts max_ref(static_cast<size_t>(o.max_order));
  std::vector<int64_t> ref_lens;
  for (const std::string* ref : refs) {
    const auto tokens = tokens_of(*ref, o);
    ref_lens.push_back(static_cast<int64_t>(tokens.size()));
    const NgramCounts counts = count_ngrams(tokens, o.max_order);
    for (size_t n = 0; n < counts.size(); ++n) {
      for (const auto& [ngram, count] : counts[n]) max_ref[n][ngram] = std::max(max_ref[n][ngram], count);
    }
  }
  const auto hyp_tokens = tokens_of(hypothesis, o);
  const auto hyp_len = static_cast<int64_t>(hyp_tokens.size());
  stats.sys_len += hyp_len;
  stats.ref_len += closest_ref_len(hyp_len, ref_lens);
  const NgramCounts hyp = count_ngrams(hyp_tokens, o.max_order);
  for (size_t n = 0; n < hyp.size(); ++n) {
    for (const auto& [ngram, count] : hyp[n]) {
      stats.total[n] += count;
      const auto it = max_ref[n].find(ngram);
      if (it != max_ref[n].end()) stats.correct[n] += std::min(count, it->second);
    }
  }
}

// sacreBLEU's BLEU.compute_bleu.
BleuScore score_from_stats(const BleuStats& s, const BleuOptions& o, size_t num_refs) {
  BleuScore b;
  b.name = "BLEU";
  b.sys_len = s.sys_len;
  b.ref_len = s.ref_len;
  b.counts = s.correct;
  b.totals = s.total;
  b.precisions.assign(static_cast<size_t>(o.max_order), 0.0);
  b.bp = s.sys_len >= s.ref_len ? 1.0
         : s.sys_len > 0        ? std::exp(1.0 - static_cast<double>(s.ref_len) / static_cast<double>(s.sys_len))
                                : 0.0;
  bool any_match = false;
  for (int64_t c : s.correct) any_match |= c > 0;
  if (any_match) {
    double smooth_mteval = 1.0;
    size_t eff_order = b.precisions.size();
    for (size_t n = 0; n < b.precisions.size(); ++n) {
      double correct = static_cast<double>(s.correct[n]), total = static_cast<double>(s.total[n]);
      if (o.smooth == "add-k" && n > 0) correct += smooth_value(o), total += smooth_value(o);
      if (total == 0) break;
      if (o.effective_order) eff_order = n + 1;
      if (correct > 0) {
        b.precisions[n] = 100.0 * correct / total;
      } else if (o.smooth == "exp") {
        smooth_mteval *= 2;
        b.precisions[n] = 100.0 / (smooth_mteval * total);
      } else if (o.smooth == "floor") {
        b.precisions[n] = 100.0 * smooth_value(o) / total;
      }
    }
    // A zero precision makes the geometric mean zero; sacreBLEU stands in -9999999999 for log(0).
    double log_sum = 0.0;
    for (size_t n = 0; n < eff_order; ++n) log_sum += b.precisions[n] > 0 ? std::log(b.precisions[n]) : -9999999999.0;
    b.score = b.bp * std::exp(log_sum / static_cast<double>(eff_order));
  }
  std::string precisions;
  for (double p : b.precisions) precisions += fmt::format("{}{:.1f}", precisions.empty() ? "" : "/", p);
  const double ratio = b.ref_len > 0 ? static_cast<double>(b.sys_len) / static_cast<double>(b.ref_len) : 0.0;
  b.verbose = fmt::format("{} (BP = {:.3f} ratio = {:.3f} hyp_len = {} ref_len = {})", precisions, b.bp, ratio,
                          b.sys_len, b.ref_len);
  std::string smooth = o.smooth;
  if (o.smooth == "floor" || o.smooth == "add-k") smooth += fmt::format("[{:.2f}]", smooth_value(o));
  b.signature.fields = {{"nrefs", std::to_string(num_refs)},
                        {"case", o.lowercase ? "lc" : "mixed"},
                        {"eff", o.effective_order ? "yes" : "no"},
                        {"tok", o.tokenize},
                        {"smooth", smooth},
                        {"version", std::string(kMetricsVersion)}};
  return b;
}

}  // namespace

void check_reference_streams(size_t num_hypotheses, const ReferenceStreams& references, const char* metric) {
  AG_CHECK(!references.empty(), "{}: no references given", metric);
  for (size_t r = 0; r < references.size(); ++r) {
    AG_CHECK(references[r].size() == num_hypotheses,
             "{}: there are {} hypotheses but reference stream {} has {} "
             "lines; every stream needs one line per hypothesis",
             metric, num_hypotheses, r + 1, references[r].size());
  }
}

ReferenceStreams single_segment_streams(const std::vector<std::string>& references) {
  ReferenceStreams streams;
  for (const auto& ref : references) streams.push_back({ref});
  return streams;
}

BleuScore corpus_bleu(const std::vector<std::string>& hypotheses, const ReferenceStreams& references,
                      const BleuOptions& options) {
  check_options(options);
  check_reference_streams(hypotheses.size(), references, "BLEU");
  BleuStats stats;
  stats.correct.assign(static_cast<size_t>(options.max_order), 0);
  stats.total.assign(static_cast<size_t>(options.max_order), 0);
  std::vector<const std::string*> refs(references.size());
  for (size_t i = 0; i < hypotheses.size(); ++i) {
    for (size_t r = 0; r < references.size(); ++r) refs[r] = &references[r][i];
    add_segment(stats, hypotheses[i], refs, options);
  }
  return score_from_stats(stats, options, references.size());
}

BleuScore sentence_bleu(const std::string& hypothesis, const std::vector<std::string>& references) {
  BleuOptions options;
  options.effective_order = true;
  return sentence_bleu(hypothesis, references, options);
}

BleuScore sentence_bleu(const std::string& hypothesis, const std::vector<std::string>& references,
                        const BleuOptions& options) {
  return corpus_bleu({hypothesis}, single_segment_streams(references), options);
}

}  // namespace ag::data
