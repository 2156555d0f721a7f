// `seq2seq translate` and `seq2seq eval`: using a trained model.
#pragma once
#include <CLI/CLI.hpp>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "search.h"

namespace seq2seq {

struct UseOptions {
  std::string model = "runs/dates";  // a run directory or a .safetensors weights file
  SearchOptions search;
  int64_t batch_tokens = 4096;
  int threads = 0;
};

struct TranslateOptions : UseOptions {
  std::vector<std::string> sentences;  // from the command line
  std::string input;                   // a file; empty with no sentences: standard input
  std::string attention;               // write the first sentence's attention heat map here (.svg)
  int64_t batch_size = 32;             // sentences per batch when streaming standard input
};

struct EvalOptions : UseOptions {
  std::string src, ref;  // the test set
  std::string output;    // also write the translations here
  bool lowercase = false;
};

void add_translate_options(CLI::App& app, TranslateOptions& options);
void add_eval_options(CLI::App& app, EvalOptions& options);

// Standard input is read line by line and translated in batches of up to --batch-size, but a batch
// goes out as soon as no more input is waiting, so an interactive user gets each answer at once.
void run_translate(const TranslateOptions& options, std::istream& in, std::ostream& out, std::ostream& log);
void run_eval(const EvalOptions& options, std::ostream& out, std::ostream& log);

}  // namespace seq2seq
