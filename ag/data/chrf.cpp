// chrF statistics and score, following sacreBLEU's metrics/chrf.py; see chrf.h.
#include "ag/data/chrf.h"

#include <unordered_map>

#include "ag/core/error.h"
#include "ag/data/utf8.h"

namespace ag::data {
namespace {

using CharNgrams = std::vector<std::unordered_map<std::u32string, int64_t>>;  // [n - 1][n-gram]

// Per order n: (hypothesis n-grams, reference n-grams, matches), flattened as sacreBLEU keeps them.
using ChrfStats = std::vector<int64_t>;

CharNgrams extract(std::string_view line, const ChrfOptions& o) {
  std::string text = o.lowercase ? utf8::lowercase(line) : std::string(line);
  if (!o.whitespace) {
    std::string joined;
    for (const auto& word : utf8::split_whitespace(text)) joined += word;
    text = std::move(joined);
  }
  const std::u32string chars = utf8::decode(text);
  CharNgrams ngrams(static_cast<size_t>(o.char_order));
  for (size_t n = 1; n <= ngrams.size(); ++n) {
    for (size_t i = 0; i + n <= chars.size(); ++i) ++ngrams[n - 1][chars.substr(i, n)];
  }
  return ngrams;
}

ChrfStats match_stats(const CharNgrams& hyp, const CharNgrams& ref) {
  ChrfStats stats;
  for (size_t n = 0; n < hyp.size(); ++n) {
    int64_t hyp_count = 0, ref_count = 0, matches = 0;
    for (const auto& [ngram, count] : hyp[n]) {
      hyp_count += count;
      const auto it = ref[n].find(ngram);
      if (it != ref[n].end()) matches += std::min(count, it->second);
    }
    for (const auto& [ngram, count] : ref[n]) ref_count += count;
    // sacreBLEU counts no hypothesis n-grams of an order the reference is too short to have.
    stats.insert(stats.end(), {ref_count > 0 ? hyp_count : 0, ref_count, matches});
  }
  return stats;
}

// sacreBLEU's CHRF._compute_f_score.
double f_score(const ChrfStats& stats, const ChrfOptions& o) {
  constexpr double eps = 1e-16;
  const double factor = static_cast<double>(o.beta) * o.beta;
  double eps_score = 0.0, avg_prec = 0.0, avg_rec = 0.0;
  int effective_order = 0;
  for (size_t i = 0; i + 2 < stats.size(); i += 3) {
    const double n_hyp = static_cast<double>(stats[i]), n_ref = static_cast<double>(stats[i + 1]);
    const double n_match = static_cast<double>(stats[i + 2]);
    const double prec = n_hyp > 0 ? n_match / n_hyp : eps;
    const double rec = n_ref > 0 ? n_match / n_ref : eps;
    const double denom = factor * prec + rec;
    eps_score += denom > 0 ? (1 + factor) * prec * rec / denom : eps;
    if (n_hyp > 0 && n_ref > 0) {
      avg_prec += prec;
      avg_rec += rec;
      ++effective_order;
    }
  }
  if (o.eps_smoothing) return 100.0 * eps_score / o.char_order;
  if (effective_order == 0) return 0.0;
  avg_prec /= effective_order;
  avg_rec /= effective_order;
  if (avg_prec + avg_rec == 0) return 0.0;
  return 100.0 * (1 + factor) * avg_prec * avg_rec / (factor * avg_prec + avg_rec);
}

}  // namespace

ChrfScore corpus_chrf(const std::vector<std::string>& hypotheses, const ReferenceStreams& references,
                      const ChrfOptions& options) {
  AG_CHECK(options.char_order >= 1 && options.beta >= 1,
           "chrF: char_order and beta must be at least 1, got {} "
           "and {}",
           options.char_order, options.beta);
  check_reference_streams(hypotheses.size(), references, "chrF");
  ChrfStats total(3 * static_cast<size_t>(options.char_order), 0);
  for (size_t i = 0; i < hypotheses.size(); ++i) {
    const CharNgrams hyp = extract(hypotheses[i], options);
    ChrfStats best;
    double best_f = -1.0;
    for (const auto& stream : references) {
      ChrfStats stats = match_stats(hyp, extract(stream[i], options));
      const double f = f_score(stats, options);
      if (f > best_f) best_f = f, best = std::move(stats);
    }
    for (size_t k = 0; k < total.size(); ++k) total[k] += best[k];
  }
  ChrfScore c;
  c.name = "chrF" + std::to_string(options.beta);
  c.score = f_score(total, options);
  c.char_order = options.char_order;
  c.beta = options.beta;
  c.signature.fields = {{"nrefs", std::to_string(references.size())},
                        {"case", options.lowercase ? "lc" : "mixed"},
                        {"eff", options.eps_smoothing ? "no" : "yes"},
                        {"nc", std::to_string(options.char_order)},
                        {"nw", "0"},
                        {"space", options.whitespace ? "yes" : "no"},
                        {"version", std::string(kMetricsVersion)}};
  return c;
}

ChrfScore sentence_chrf(const std::string& hypothesis, const std::vector<std::string>& references,
                        const ChrfOptions& options) {
  return corpus_chrf({hypothesis}, single_segment_streams(references), options);
}

}  // namespace ag::data
