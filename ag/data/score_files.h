// Scoring files, as sacreBLEU's command line does: what ag-score (examples/score) runs.
//
//   ag::data::ScoreFilesOptions o{.hypothesis = "out.en", .references = {"ref1.en", "ref2.en"}};
//   std::cout << ag::data::score_files(o, std::cin);
//   // BLEU|nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:ag-0.1 = 31.2 62.0/37.5/24.6/16.4 (BP = ...)
//   // chrF2|nrefs:2|case:mixed|eff:yes|nc:6|nw:0|space:no|version:ag-0.1 = 58.3
//
// Kept in the library rather than in the program so the tests can check it without a subprocess.
#pragma once
#include <istream>
#include <string>
#include <vector>

namespace ag::data {

struct ScoreFilesOptions {
  std::string hypothesis = "-";         // a path, or "-" for standard input
  std::vector<std::string> references;  // one file per reference stream, each aligned with the hypothesis
  std::vector<std::string> metrics = {"bleu", "chrf"};
  bool lowercase = false;
  std::string tokenize = "13a";  // BLEU's tokenizer: "13a" or "none"
  int width = 1;                 // digits after the decimal point
  bool json = false;             // a JSON list of {name, score, signature, verbose_score, fields...}
};

// Reads the files (plain or gzip), checks that every reference has as many lines as the hypothesis,
// and returns the report, one line per metric (or the JSON document), ending in a newline.
std::string score_files(const ScoreFilesOptions& options, std::istream& standard_input);

}  // namespace ag::data
