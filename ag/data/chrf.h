// chrF (Popović, 2015): the F-score of character n-gram precision and recall, as sacreBLEU 2.6.0
// computes it.
//
//   auto chrf = ag::data::corpus_chrf(hyps, refs);   // refs as in bleu.h
//   fmt::print("{}\n", chrf.format());   // chrF2|nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|... = 64.89
//
// Defaults are sacreBLEU's chrF2: character n-grams of order 1..6 over Unicode code points, with
// whitespace removed first, beta = 2 (recall weighs twice as much as precision). Matches are summed
// over the corpus; the score averages precision and recall over the orders that occur (sacreBLEU's
// "effective order") and combines the averages into one F-beta. With several references, each
// segment uses the reference that gives it the best F-score.
#pragma once
#include <string>
#include <vector>

#include "ag/data/bleu.h"
#include "ag/data/score.h"

namespace ag::data {

struct ChrfOptions {
  int char_order = 6;
  int beta = 2;
  bool lowercase = false;
  bool whitespace = false;     // keep whitespace inside character n-grams
  bool eps_smoothing = false;  // chrF++.py's smoothing of every order instead of the effective order
};

struct ChrfScore : Score {
  int char_order = 6;
  int beta = 2;
};

ChrfScore corpus_chrf(const std::vector<std::string>& hypotheses, const ReferenceStreams& references,
                      const ChrfOptions& options = {});

ChrfScore sentence_chrf(const std::string& hypothesis, const std::vector<std::string>& references,
                        const ChrfOptions& options = {});

}  // namespace ag::data
