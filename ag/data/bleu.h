// BLEU (Papineni et al., 2002), computed exactly as sacreBLEU 2.6.0 computes it.
//
//   std::vector<std::string> hyps = {"The cat sat on the mat."};
//   ag::data::ReferenceStreams refs = {{"The cat is on the mat."}};   // one stream per reference set
//   auto bleu = ag::data::corpus_bleu(hyps, refs);
//   fmt::print("{}\n", bleu.format());   // BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|... = 35.36 ...
//
// BLEU is the geometric mean of the clipped n-gram precisions (n = 1..4) times a brevity penalty.
// Statistics are summed over the corpus before the mean is taken, so corpus BLEU is not the average
// of sentence BLEU. Defaults are sacreBLEU's: the 13a tokenizer, case-sensitive, "exp" smoothing
// (the k-th order with no match gets precision 1 / (2^k * total)), and no effective order, so a
// corpus without any 4-gram scores 0. sentence_bleu turns effective order on, as sacreBLEU does.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ag/data/score.h"

namespace ag::data {

// references[r][i] is the r-th reference of hypothesis i (sacreBLEU's layout: one stream per file).
using ReferenceStreams = std::vector<std::vector<std::string>>;

struct BleuOptions {
  bool lowercase = false;        // Unicode-aware, like Python's str.lower()
  bool effective_order = false;  // drop n-gram orders that have no n-grams at all
  std::string tokenize = "13a";  // "13a", or "none" for text that is already tokenized
  std::string smooth = "exp";    // "exp", "none", "floor" or "add-k"
  double smooth_value = -1;      // for floor (default 0.1) and add-k (default 1)
  int max_order = 4;
};

struct BleuScore : Score {
  std::vector<double> precisions;  // percent, n = 1..max_order
  double bp = 0.0;                 // brevity penalty
  int64_t sys_len = 0;             // hypothesis tokens
  int64_t ref_len = 0;             // reference tokens (closest reference length, summed)
  std::vector<int64_t> counts;     // clipped n-gram matches, n = 1..max_order
  std::vector<int64_t> totals;     // hypothesis n-grams, n = 1..max_order
};

BleuScore corpus_bleu(const std::vector<std::string>& hypotheses, const ReferenceStreams& references,
                      const BleuOptions& options = {});

// One hypothesis against its references, with effective order on unless `options` says otherwise.
BleuScore sentence_bleu(const std::string& hypothesis, const std::vector<std::string>& references);
BleuScore sentence_bleu(const std::string& hypothesis, const std::vector<std::string>& references,
                        const BleuOptions& options);

// Throws ag::Error unless every reference stream has one line per hypothesis (used by chrF too).
void check_reference_streams(size_t num_hypotheses, const ReferenceStreams& references, const char* metric);

// The references of a single hypothesis as streams of one line each.
ReferenceStreams single_segment_streams(const std::vector<std::string>& references);

}  // namespace ag::data
