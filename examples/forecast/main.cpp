// forecast: a Transformer that forecasts a time series from a CSV file, with an 80% interval,
// measured against the seasonal naive forecast and Holt-Winters on held-out values.
//
//   forecast train                                    # a generated monthly series, in seconds
//   forecast train --data co2.csv --horizon 36 --out runs/co2
//   forecast train --resume runs/co2                  # after Ctrl-C: continue where it stopped
//   forecast predict -m runs/co2 recent.csv           # the next H values as CSV
//
// See README.md beside this file.
#include <iostream>

#include "commands.h"
#include "examples/common/subcommands.h"

int main(int argc, char** argv) {
  examples::Subcommands program("forecast", "Forecast a time series with a Transformer and compare it with the "
                                "classic baselines (ag's forecast example).");
  forecast::TrainOptions train;
  CLI::App* train_command = program.add(
      "train", "train on a CSV column (default: a generated series) and report", train,
      forecast::add_train_options, [&] {
        const auto was_given = [&train_command](const std::string& flag) { return train_command->count(flag) > 0; };
        const forecast::TrainResult result =
            forecast::train(train, std::cerr, examples::stderr_is_terminal(), was_given);
        return examples::finish_training(result.interrupted, result.report);
      });
  forecast::PredictOptions predict;
  program.add("predict", "the next values after a CSV of history, as CSV", predict, forecast::add_predict_options,
              [&] { forecast::run_predict(predict, std::cout); return 0; });
  return program.run(argc, argv);
}
