// Flags, and the bodies of `classify predict` and `classify eval`; see commands.h.
#include "commands.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "ag/core/error.h"
#include "ag/core/parallel.h"
#include "ag/core/serialize.h"
#include "ag/data/labelled_text.h"
#include "ag/train/heatmap.h"
#include "dataset.h"

namespace classify {

namespace {

void add_common(CLI::App& app, std::string& model, int64_t& batch_size, int& threads) {
  app.add_option("-m,--model", model, "a run directory of `classify train`")->capture_default_str();
  app.add_option("--batch-size", batch_size, "texts per forward pass")->capture_default_str();
  app.add_option("--threads", threads, "threads (0: AG_NUM_THREADS or every core)")->capture_default_str();
}

void check_common(int64_t batch_size, int threads) {
  AG_CHECK(batch_size > 0 && batch_size <= 65536, "--batch-size ({}) must be in [1, 65536]", batch_size);
  ag::use_threads_flag(threads);
}

// What a person recognises a text by: its file, or its start on one line.
std::string preview(const std::string& text) {
  std::string line = text.substr(0, 60);
  for (char& c : line)
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  int64_t ignored = 0;
  return ag::data::repair_utf8(line, ignored) + (text.size() > 60 ? "..." : "");  // 60 bytes may split a character
}

}  // namespace

void add_predict_options(CLI::App& app, PredictOptions& o) {
  add_common(app, o.model, o.batch_size, o.threads);
  app.add_option("text", o.texts, "texts to classify (default: --file, or one per line of standard input)");
  app.add_option("-f,--file", o.files, "a file holding one text (raw mail for a model trained with --mail)");
  app.add_flag("--json", o.json, "JSON lines: input, label, probability and every class's probability");
}

void add_eval_options(CLI::App& app, EvalOptions& o) {
  add_common(app, o.model, o.batch_size, o.threads);
  app.add_option("data", o.data, "a folder of class folders or a label<TAB>text file")->required();
  app.add_option("--svg", o.svg, "also draw the confusion matrix as an SVG heat map here");
  app.add_flag("--json", o.json, "the figures as one JSON object instead of the report");
}

void run_predict(const PredictOptions& o, std::istream& in, bool in_is_terminal, std::ostream& out) {
  check_common(o.batch_size, o.threads);
  AG_CHECK(o.texts.empty() || o.files.empty(), "give texts or --file, not both");
  const LoadedModel loaded = load_model(o.model);
  std::vector<std::string> texts, inputs;  // what is classified, and what the output calls it
  ag::data::MailCleaning cleaning;
  int64_t repaired = 0;
  for (const std::string& text : o.texts) texts.push_back(ag::data::repair_utf8(text, repaired));
  for (const std::string& file : o.files) {
    std::ifstream stream(file, std::ios::binary);
    AG_CHECK(stream.good(), "cannot read {}", file);
    std::ostringstream bytes;
    bytes << stream.rdbuf();
    texts.push_back(loaded.reading.mail ? ag::data::mail_to_text(bytes.str(), cleaning, loaded.reading.mail_headers)
                                : ag::data::repair_utf8(bytes.str(), repaired));
    inputs.push_back(file);
  }
  if (o.texts.empty() && o.files.empty()) {
    AG_CHECK(!in_is_terminal, "nothing to classify: give texts, --file, or pipe one text a line into standard input");
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      texts.push_back(ag::data::repair_utf8(line, repaired));
    }
  }
  if (inputs.empty())
    for (const std::string& text : texts) inputs.push_back(preview(text));
  std::vector<std::vector<int64_t>> ids;
  for (const std::string& text : texts) ids.push_back(loaded.encoder.encode(text, loaded.model->config.max_tokens));
  const auto probabilities = predict_probabilities(*loaded.model, ids, o.batch_size);
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::vector<float>& p = probabilities[i];
    const auto best = static_cast<size_t>(std::max_element(p.begin(), p.end()) - p.begin());
    if (o.json) {
      nlohmann::json all = nlohmann::json::object();
      for (size_t c = 0; c < p.size(); ++c) all[loaded.classes[c]] = p[c];
      out << nlohmann::json{{"input", inputs[i]}, {"label", loaded.classes[best]}, {"probability", p[best]},
                            {"probabilities", all}}.dump() << "\n";
    } else {
      out << fmt::format("{}\t{:.4f}\t{}\n", loaded.classes[best], p[best], inputs[i]);
    }
  }
}

void run_eval(const EvalOptions& o, std::ostream& out, std::ostream& log) {
  check_common(o.batch_size, o.threads);
  const LoadedModel loaded = load_model(o.model);
  LabelledTexts data = ag::data::read_labelled_texts(o.data, loaded.reading);
  log << "classify: " << o.data << ": " << data.report.summary() << "\n";
  use_classes(data, loaded.classes, o.data);
  std::vector<std::vector<int64_t>> ids;
  for (const std::string& text : data.texts) ids.push_back(loaded.encoder.encode(text, loaded.model->config.max_tokens));
  const Evaluation e = evaluate(predict_probabilities(*loaded.model, ids, o.batch_size), data.targets);
  if (o.json) out << report_json(e, loaded.classes).dump() << "\n";
  else out << format_report(e, loaded.classes);
  if (!o.svg.empty())
    ag::write_file_atomically(o.svg, ag::train::confusion_matrix_svg(e.confusion, loaded.classes,
                                                                     "Confusion matrix on " + o.data));
}

}  // namespace classify
