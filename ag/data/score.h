// What every corpus metric returns: a name, a score, and sacreBLEU's signature of the settings.
//
// A BLEU score means little without its settings (tokenizer, casing, smoothing, number of
// references): Post (2018), "A Call for Clarity in Reporting BLEU Scores". sacreBLEU therefore
// prints a signature with each score, and so does ag, with the same fields:
//   BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:ag-0.1 = 48.74 80.9/60.0/... (BP = ...)
// The version field names ag, since it is ag's implementation; it reproduces sacreBLEU 2.6.0.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ag::data {

inline constexpr std::string_view kMetricsVersion = "ag-0.1";

// Ordered key:value fields, printed "key:value|key:value|...".
struct Signature {
  std::vector<std::pair<std::string, std::string>> fields;
  std::string to_string() const;
};

struct Score {
  std::string name;     // "BLEU", "chrF2"
  double score = 0.0;   // 0..100
  std::string verbose;  // the details sacreBLEU prints after the score (BLEU's precisions and BP)
  Signature signature;

  // sacreBLEU's text form: "BLEU|<signature> = 48.74 <verbose>", or "BLEU = 48.74 <verbose>".
  std::string format(int width = 2, bool with_signature = true) const;
};

}  // namespace ag::data
