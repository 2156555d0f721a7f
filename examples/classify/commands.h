// The command line of `classify`: each subcommand's flags, and the bodies of predict and eval
// (`classify train` is train.cpp, its flags the settings list of options.h).
#pragma once
#include <CLI/CLI.hpp>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "train.h"

namespace classify {

struct PredictOptions {
  std::string model = "runs/classify";
  std::vector<std::string> texts;  // each argument one text
  std::vector<std::string> files;  // each file one text (raw mail when the model was trained on mail)
  bool json = false;               // JSON lines instead of label<TAB>probability<TAB>input
  int64_t batch_size = 64;
  int threads = 0;
};

struct EvalOptions {
  std::string model = "runs/classify";
  std::string data;  // a folder of class folders or a label<TAB>text file
  std::string svg;   // where to draw the confusion matrix (empty: nowhere)
  bool json = false;
  int64_t batch_size = 64;
  int threads = 0;
};

void add_predict_options(CLI::App& app, PredictOptions& options);
void add_eval_options(CLI::App& app, EvalOptions& options);

// Texts from the arguments, else the files, else one per line of `in` (refused when `in` is a
// terminal: nothing to read). One output line per text, in the order given.
void run_predict(const PredictOptions& options, std::istream& in, bool in_is_terminal, std::ostream& out);
// The report (or JSON) on `out`; what the reader cleaned or skipped on `log`.
void run_eval(const EvalOptions& options, std::ostream& out, std::ostream& log);

}  // namespace classify
