// Token accuracy, exact match, perplexity, precision / recall / F1 and the confusion matrix; see metrics.h.
#include "ag/data/metrics.h"

#include <cmath>

#include "ag/core/error.h"

namespace ag::data {
namespace {

template <typename T>
double exact_match_of(const std::vector<T>& hypotheses, const std::vector<T>& references) {
  AG_CHECK(hypotheses.size() == references.size(), "exact_match: {} hypotheses but {} references", hypotheses.size(),
           references.size());
  if (hypotheses.empty()) return 0.0;
  size_t equal = 0;
  for (size_t i = 0; i < hypotheses.size(); ++i) equal += hypotheses[i] == references[i];
  return static_cast<double>(equal) / static_cast<double>(hypotheses.size());
}

double safe_ratio(int64_t num, int64_t den) { return den > 0 ? static_cast<double>(num) / den : 0.0; }

ClassScores scores_from_counts(int64_t true_pos, int64_t predicted, int64_t actual) {
  ClassScores s;
  s.precision = safe_ratio(true_pos, predicted);
  s.recall = safe_ratio(true_pos, actual);
  s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0.0;
  s.support = actual;
  return s;
}

}  // namespace

double token_accuracy(std::span<const int64_t> predicted, std::span<const int64_t> target, int64_t ignore_id) {
  AG_CHECK(predicted.size() == target.size(), "token_accuracy: {} predictions but {} targets", predicted.size(),
           target.size());
  int64_t counted = 0, correct = 0;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == ignore_id) continue;
    ++counted;
    correct += predicted[i] == target[i];
  }
  return safe_ratio(correct, counted);
}

double exact_match(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references) {
  return exact_match_of(hypotheses, references);
}

double exact_match(const std::vector<std::vector<int64_t>>& hypotheses,
                   const std::vector<std::vector<int64_t>>& references) {
  return exact_match_of(hypotheses, references);
}

double perplexity(double total_nll, int64_t num_tokens) {
  AG_CHECK(num_tokens > 0, "perplexity: needs at least one token, got {}", num_tokens);
  return std::exp(total_nll / static_cast<double>(num_tokens));
}

ClassificationReport precision_recall_f1(std::span<const int64_t> predicted, std::span<const int64_t> gold) {
  AG_CHECK(predicted.size() == gold.size(), "precision_recall_f1: {} predictions but {} gold labels", predicted.size(),
           gold.size());
  struct Counts {
    int64_t true_pos = 0, predicted = 0, actual = 0;
  };
  std::map<int64_t, Counts> counts;
  Counts all;
  for (size_t i = 0; i < gold.size(); ++i) {
    ++counts[predicted[i]].predicted;
    ++counts[gold[i]].actual;
    if (predicted[i] == gold[i]) ++counts[gold[i]].true_pos, ++all.true_pos;
  }
  ClassificationReport report;
  for (const auto& [label, c] : counts) {
    const ClassScores s = scores_from_counts(c.true_pos, c.predicted, c.actual);
    report.per_class[label] = s;
    report.macro.precision += s.precision / static_cast<double>(counts.size());
    report.macro.recall += s.recall / static_cast<double>(counts.size());
    report.macro.f1 += s.f1 / static_cast<double>(counts.size());
  }
  const auto n = static_cast<int64_t>(gold.size());
  report.micro = scores_from_counts(all.true_pos, n, n);
  report.macro.support = n;
  return report;
}

std::vector<std::vector<int64_t>> confusion_matrix(std::span<const int64_t> predicted, std::span<const int64_t> gold,
                                                   int64_t num_classes) {
  AG_CHECK(predicted.size() == gold.size(), "confusion_matrix: {} predictions but {} gold labels", predicted.size(),
           gold.size());
  AG_CHECK(num_classes > 0, "confusion_matrix: num_classes ({}) must be positive", num_classes);
  std::vector<std::vector<int64_t>> counts(static_cast<size_t>(num_classes),
                                           std::vector<int64_t>(static_cast<size_t>(num_classes), 0));
  for (size_t i = 0; i < gold.size(); ++i) {
    AG_CHECK(gold[i] >= 0 && gold[i] < num_classes && predicted[i] >= 0 && predicted[i] < num_classes,
             "confusion_matrix: item {} has gold label {} and prediction {}; both must be in [0, {})", i, gold[i],
             predicted[i], num_classes);
    ++counts[static_cast<size_t>(gold[i])][static_cast<size_t>(predicted[i])];
  }
  return counts;
}

}  // namespace ag::data
