// classify: train a Transformer text classifier and use it.
//
//   classify train                                            # the built-in task, in about a minute
//   classify train --train spam/train --val spam/val --mail --out runs/spam
//   classify train --resume runs/spam                         # after Ctrl-C: continue where it stopped
//   classify predict -m runs/spam -f message.txt --json
//   classify eval -m runs/spam spam/test --svg confusion.svg
//
// See README.md beside this file.
#include <iostream>
#include <unistd.h>

#include "commands.h"
#include "examples/common/subcommands.h"

int main(int argc, char** argv) {
  examples::Subcommands program("classify", "Train a Transformer text classifier and classify and score texts with "
                                "it (ag's classify example).");
  classify::TrainOptions train;
  CLI::App* train_command = program.add(
      "train", "train a classifier (default: a built-in generated task)", train, classify::add_train_options, [&] {
        const auto was_given = [&train_command](const std::string& flag) { return train_command->count(flag) > 0; };
        const classify::TrainResult result =
            classify::train(train, std::cerr, examples::stderr_is_terminal(), was_given);
        return examples::finish_training(result.interrupted, result.report);
      });
  classify::PredictOptions predict;
  program.add("predict", "the label and probabilities of each text", predict, classify::add_predict_options,
              [&] { classify::run_predict(predict, std::cin, isatty(STDIN_FILENO) != 0, std::cout); return 0; });
  classify::EvalOptions eval;
  program.add("eval", "precision, recall, F1 and the confusion matrix on labelled texts", eval,
              classify::add_eval_options, [&] { classify::run_eval(eval, std::cout, std::cerr); return 0; });
  return program.run(argc, argv);
}
