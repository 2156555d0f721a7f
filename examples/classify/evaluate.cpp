// Probabilities, metrics and the printed report; see evaluate.h.
#include "evaluate.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ag/core/autograd/grad_mode.h"
#include "ag/core/error.h"

namespace classify {

std::vector<std::vector<float>> predict_probabilities(ClassifierImpl& model,
                                                      const std::vector<std::vector<int64_t>>& ids,
                                                      int64_t batch_size) {
  AG_CHECK(batch_size > 0, "--batch-size ({}) must be positive", batch_size);
  const bool was_training = model.is_training();
  model.eval();
  ag::NoGradGuard no_grad;
  std::vector<size_t> order(ids.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ids[a].size() < ids[b].size(); });
  std::vector<std::vector<float>> out(ids.size());
  for (size_t first = 0; first < order.size(); first += static_cast<size_t>(batch_size)) {
    const size_t last = std::min(order.size(), first + static_cast<size_t>(batch_size));
    std::vector<std::vector<int64_t>> batch;
    for (size_t k = first; k < last; ++k) batch.push_back(ids[order[k]]);
    const std::vector<float> p = model.forward(pad_batch(batch)).softmax(1).to_vector<float>();  // (B,C)
    const auto C = static_cast<size_t>(model.config.num_classes);
    for (size_t k = first; k < last; ++k)
      out[order[k]].assign(p.begin() + static_cast<std::ptrdiff_t>((k - first) * C),
                           p.begin() + static_cast<std::ptrdiff_t>((k - first + 1) * C));
  }
  model.train(was_training);
  return out;
}

Evaluation evaluate(const std::vector<std::vector<float>>& probabilities, const std::vector<int64_t>& targets) {
  AG_CHECK(!probabilities.empty() && probabilities.size() == targets.size(),
           "evaluate: {} predictions for {} labelled texts", probabilities.size(), targets.size());
  Evaluation e;
  const auto C = static_cast<int64_t>(probabilities.front().size());
  double nats = 0;
  for (size_t i = 0; i < targets.size(); ++i) {
    const std::vector<float>& p = probabilities[i];
    e.predicted.push_back(std::max_element(p.begin(), p.end()) - p.begin());
    nats -= std::log(std::max(p[static_cast<size_t>(targets[i])], 1e-30f));
  }
  e.loss = nats / static_cast<double>(targets.size());
  e.report = ag::data::precision_recall_f1(e.predicted, targets);
  e.accuracy = e.report.micro.f1;  // one label per text: micro F1 is the accuracy
  e.confusion = ag::data::confusion_matrix(e.predicted, targets, C);
  return e;
}

namespace {

nlohmann::json scores_json(const ag::data::ClassScores& s) {
  return {{"precision", s.precision}, {"recall", s.recall}, {"f1", s.f1}, {"support", s.support}};
}

}  // namespace

std::string format_report(const Evaluation& e, const std::vector<std::string>& classes) {
  size_t name_width = 12;
  for (const std::string& name : classes) name_width = std::max(name_width, name.size());
  const auto line = [&](const std::string& name, const ag::data::ClassScores& s) {
    return fmt::format("{:>{}}  {:9.4f} {:9.4f} {:9.4f} {:9}\n", name, name_width, s.precision, s.recall, s.f1,
                       s.support);
  };
  std::string out = fmt::format("{:>{}}  {:>9} {:>9} {:>9} {:>9}\n", "", name_width, "precision", "recall", "f1",
                                "support");
  for (const auto& [label, scores] : e.report.per_class) out += line(classes.at(static_cast<size_t>(label)), scores);
  out += fmt::format("\n{:>{}}  {:>9} {:>9} {:9.4f} {:9}\n", "accuracy", name_width, "", "", e.accuracy,
                     e.report.macro.support);
  out += line("micro avg", e.report.micro) + line("macro avg", e.report.macro);
  out += fmt::format("\nconfusion matrix (rows: true class, columns: predicted class, numbered as the rows):\n");
  out += fmt::format("{:>{}}", "", name_width + 5);
  for (size_t c = 0; c < classes.size(); ++c) out += fmt::format(" {:>4}", c);
  out += "\n";
  for (size_t r = 0; r < classes.size(); ++r) {
    out += fmt::format("{:>{}} {:>4}", classes[r], name_width, r);
    for (const int64_t n : e.confusion[r]) out += fmt::format(" {:>4}", n);
    out += "\n";
  }
  return out;
}

nlohmann::json report_json(const Evaluation& e, const std::vector<std::string>& classes) {
  nlohmann::json per_class = nlohmann::json::object();
  for (const auto& [label, scores] : e.report.per_class) per_class[classes.at(static_cast<size_t>(label))] = scores_json(scores);
  return {{"accuracy", e.accuracy}, {"loss", e.loss},           {"micro", scores_json(e.report.micro)},
          {"macro", scores_json(e.report.macro)}, {"classes", per_class}, {"class_names", classes},
          {"confusion", e.confusion}};
}

}  // namespace classify
