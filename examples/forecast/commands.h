// The command line of `forecast`: each subcommand's flags, and `forecast predict`.
#pragma once
#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "train.h"

namespace forecast {

struct PredictOptions {
  std::string model = "runs/forecast";
  std::string history;  // a CSV file of recent values, in the training file's layout
  std::string column;   // empty: the column the model was trained on
  int threads = 0;
};

void add_predict_options(CLI::App& app, PredictOptions& options);

// Writes the next H values after the history as CSV: time,forecast,lower_80,upper_80.
void run_predict(const PredictOptions& options, std::ostream& out);

}  // namespace forecast
