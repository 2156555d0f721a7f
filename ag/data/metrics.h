// Simple metrics for training loops and classifiers: token accuracy, exact match, perplexity, and
// precision / recall / F1 with the confusion matrix. For BLEU and chrF see bleu.h and chrf.h.
#pragma once
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace ag::data {

// The fraction (0..1) of positions where predicted == target, skipping positions whose target is
// `ignore_id` (padding, by default): feed it argmax(logits) and Batch::tgt_out, both (B,T) flattened.
double token_accuracy(std::span<const int64_t> predicted, std::span<const int64_t> target, int64_t ignore_id = 0);

// The fraction (0..1) of hypotheses equal to their reference, whole sequence at once.
double exact_match(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references);
double exact_match(const std::vector<std::vector<int64_t>>& hypotheses,
                   const std::vector<std::vector<int64_t>>& references);

// exp(total negative log-likelihood / number of tokens), the loss summed in nats over `num_tokens`.
double perplexity(double total_nll, int64_t num_tokens);

struct ClassScores {
  double precision = 0, recall = 0, f1 = 0;
  int64_t support = 0;  // how many gold labels have this class
};

struct ClassificationReport {
  std::map<int64_t, ClassScores> per_class;  // every class that occurs in gold or predicted labels
  ClassScores micro;                         // from the summed counts; for single-label data all three equal accuracy
  ClassScores macro;                         // the unweighted mean over per_class
};

// Precision, recall and F1 as scikit-learn computes them (zero_division=0): a class never predicted
// has precision 0, a class never in the gold labels has recall 0.
ClassificationReport precision_recall_f1(std::span<const int64_t> predicted, std::span<const int64_t> gold);

// counts[g][p]: how many items of gold class g were predicted as class p, for classes
// 0..num_classes-1 (rows: the truth, columns: the prediction, as scikit-learn's confusion_matrix).
// A label outside that range is an ag::Error.
std::vector<std::vector<int64_t>> confusion_matrix(std::span<const int64_t> predicted, std::span<const int64_t> gold,
                                                   int64_t num_classes);

}  // namespace ag::data
