// forecast: a Transformer that forecasts a time series from a CSV file, with an 80% interval,
// measured against the seasonal naive forecast and Holt-Winters on held-out values.
//
//   forecast train                                    # a generated monthly series, in seconds
//   forecast train --data co2.csv --horizon 36 --out runs/co2
//   forecast train --resume runs/co2                  # after Ctrl-C: continue where it stopped
//   forecast predict -m runs/co2 recent.csv           # the next H values as CSV
//
// See README.md beside this file.
#include <CLI/CLI.hpp>
#include <iostream>
#include <unistd.h>

#include "ag/train/interrupt.h"
#include "ag/train/run_program.h"
#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Forecast a time series with a Transformer and compare it with the classic baselines (ag's "
               "forecast example)."};
  app.require_subcommand(1);
  forecast::TrainOptions train_options;
  CLI::App* train = app.add_subcommand("train", "train on a CSV column (default: a generated series) and report");
  forecast::add_train_options(*train, train_options);
  forecast::PredictOptions predict_options;
  CLI::App* predict = app.add_subcommand("predict", "the next values after a CSV of history, as CSV");
  forecast::add_predict_options(*predict, predict_options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 1;  // CLI11 prints the message; every error exits 1
  }

  return ag::train::run_program("forecast", std::cerr, [&] {
    if (train->parsed()) {
      const forecast::TrainResult result = forecast::train(train_options, std::cerr, isatty(STDERR_FILENO) != 0);
      if (result.interrupted) return ag::train::kInterruptedExitCode;
      std::cout << result.report;
    }
    if (predict->parsed()) forecast::run_predict(predict_options, std::cout);
    return 0;
  });
}
