// Scoring a classifier: class probabilities for many texts, and the report a person reads
// (per-class precision, recall, F1 and support, micro and macro averages, accuracy, the confusion
// matrix), as scikit-learn's classification_report and confusion_matrix print them.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ag/data/metrics.h"
#include "model.h"

namespace classify {

// Each text's class probabilities (N rows of C), in eval mode without gradients. Texts are batched
// by length (less padding), the rows come back in the given order.
std::vector<std::vector<float>> predict_probabilities(ClassifierImpl& model,
                                                      const std::vector<std::vector<int64_t>>& ids,
                                                      int64_t batch_size = 64);

struct Evaluation {
  double loss = 0;  // mean cross-entropy, in nats
  double accuracy = 0;
  std::vector<int64_t> predicted;
  ag::data::ClassificationReport report;
  std::vector<std::vector<int64_t>> confusion;  // [gold][predicted]
};

Evaluation evaluate(const std::vector<std::vector<float>>& probabilities, const std::vector<int64_t>& targets);

// The report as text: one line per class, then accuracy, micro and macro averages, then the
// confusion matrix (rows: true class, columns: predicted, numbered as the rows).
std::string format_report(const Evaluation& evaluation, const std::vector<std::string>& classes);
// The same figures as JSON: {"accuracy", "loss", "micro": {...}, "macro": {...}, "classes": {name: {...}}, "confusion"}.
nlohmann::json report_json(const Evaluation& evaluation, const std::vector<std::string>& classes);

}  // namespace classify
