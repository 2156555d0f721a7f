// classify: train a Transformer text classifier and use it.
//
//   classify train                                            # the built-in task, in about a minute
//   classify train --train spam/train --val spam/val --mail --out runs/spam
//   classify train --resume runs/spam                         # after Ctrl-C: continue where it stopped
//   classify predict -m runs/spam -f message.txt --json
//   classify eval -m runs/spam spam/test --svg confusion.svg
//
// See README.md beside this file.
#include <CLI/CLI.hpp>
#include <iostream>
#include <unistd.h>

#include "ag/train/interrupt.h"
#include "ag/train/run_program.h"
#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Train a Transformer text classifier and classify and score texts with it (ag's classify example)."};
  app.require_subcommand(1);
  classify::TrainOptions train_options;
  CLI::App* train = app.add_subcommand("train", "train a classifier (default: a built-in generated task)");
  classify::add_train_options(*train, train_options);
  classify::PredictOptions predict_options;
  CLI::App* predict = app.add_subcommand("predict", "the label and probabilities of each text");
  classify::add_predict_options(*predict, predict_options);
  classify::EvalOptions eval_options;
  CLI::App* eval = app.add_subcommand("eval", "precision, recall, F1 and the confusion matrix on labelled texts");
  classify::add_eval_options(*eval, eval_options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 1;  // CLI11 prints the message; every error exits 1
  }

  return ag::train::run_program("classify", std::cerr, [&] {
    if (train->parsed()) {
      const classify::TrainResult result = classify::train(train_options, std::cerr, isatty(STDERR_FILENO) != 0);
      if (result.interrupted) return ag::train::kInterruptedExitCode;
      std::cout << result.report;
    }
    if (predict->parsed()) classify::run_predict(predict_options, std::cin, isatty(STDIN_FILENO) != 0, std::cout);
    if (eval->parsed()) classify::run_eval(eval_options, std::cout, std::cerr);
    return 0;
  });
}
