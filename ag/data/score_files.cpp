// File-level scoring behind ag-score; see score_files.h.
#include "ag/data/score_files.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "ag/core/error.h"
#include "ag/data/bleu.h"
#include "ag/data/chrf.h"
#include "ag/data/corpus.h"
#include "ag/data/text_file.h"

namespace ag::data {
namespace {

// sacreBLEU's JSON form of a score: the score rounded to `width`, the signature, and its fields.
nlohmann::ordered_json to_json(const Score& s, int width) {
  const double scale = std::pow(10.0, width);
  nlohmann::ordered_json j = {
      {"name", s.name}, {"score", std::round(s.score * scale) / scale}, {"signature", s.signature.to_string()}};
  if (!s.verbose.empty()) j["verbose_score"] = s.verbose;
  for (const auto& [key, value] : s.signature.fields) j[key] = value;
  return j;
}

}  // namespace

std::string score_files(const ScoreFilesOptions& options, std::istream& standard_input) {
  AG_CHECK(!options.references.empty(), "score: give at least one reference file");
  AG_CHECK(options.width >= 0 && options.width <= 10, "score: width must be in [0, 10], got {}", options.width);
  const bool from_stdin = options.hypothesis == "-";
  const std::string hyp_name = from_stdin ? "standard input" : options.hypothesis;
  const std::vector<std::string> hypotheses =
      from_stdin ? read_lines(standard_input, hyp_name) : read_lines(options.hypothesis);
  ReferenceStreams references;
  for (const auto& path : options.references) {
    references.push_back(read_lines(path));
    check_same_line_count(hyp_name, hypotheses.size(), path, references.back().size());
  }

  std::vector<Score> scores;
  for (const auto& metric : options.metrics) {
    if (metric == "bleu") {
      scores.push_back(
          corpus_bleu(hypotheses, references, {.lowercase = options.lowercase, .tokenize = options.tokenize}));
    } else if (metric == "chrf") {
      scores.push_back(corpus_chrf(hypotheses, references, {.lowercase = options.lowercase}));
    } else {
      throw Error(fmt::format("score: unknown metric '{}'; choose bleu or chrf", metric));
    }
  }

  if (options.json) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& s : scores) list.push_back(to_json(s, options.width));
    return list.dump(1) + "\n";
  }
  std::string report;
  for (const auto& s : scores) report += s.format(options.width) + "\n";
  return report;
}

}  // namespace ag::data
