// seq2seq: train a Transformer translation model, translate with it, and score it.
//
//   seq2seq train                                   # the built-in date task, out of the box
//   seq2seq translate -m runs/dates "21st of November 2026" "Nov 3, 99"
//   seq2seq train --src train.de.gz --tgt train.en.gz --valid-src val.de.gz --valid-tgt val.en.gz --out runs/de-en
//   seq2seq eval -m runs/de-en --src test.de.gz --ref test.en.gz
//
// See README.md beside this file for every flag and the Multi30k recipe.
#include <CLI/CLI.hpp>
#include <iostream>
#include <unistd.h>

#include "commands.h"
#include "ag/train/interrupt.h"
#include "ag/train/run_program.h"
#include "trainer.h"

int main(int argc, char** argv) {
  CLI::App app{"Train, run and score Transformer translation models (ag's seq2seq example)."};
  app.require_subcommand(1);
  seq2seq::TrainOptions train_options;
  CLI::App* train = app.add_subcommand("train", "train a model (no flags: the built-in date task)");
  seq2seq::add_train_options(*train, train_options);
  seq2seq::TranslateOptions translate_options;
  CLI::App* translate = app.add_subcommand("translate", "translate sentences, a file or standard input");
  seq2seq::add_translate_options(*translate, translate_options);
  seq2seq::EvalOptions eval_options;
  CLI::App* eval = app.add_subcommand("eval", "translate a test set and print BLEU and chrF");
  seq2seq::add_eval_options(*eval, eval_options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints the message (or the help); its own exit codes (104-109...) would contradict the
    // README's promise that every error exits 1.
    return app.exit(e) == 0 ? 0 : 1;
  }

  // Everything a user can get wrong (files, flags, checkpoints) arrives here as an exception with a
  // message that says what to fix; none of it may crash.
  return ag::train::run_program("seq2seq", std::cerr, [&] {
    if (train->parsed()) {
      const auto was_given = [train](const std::string& flag) { return train->count(flag) > 0; };
      const auto result = seq2seq::train(train_options, was_given, std::cerr, isatty(STDERR_FILENO) != 0);
      return result.interrupted ? ag::train::kInterruptedExitCode : 0;
    }
    std::ios::sync_with_stdio(false);  // lets the streaming reader see what std::cin has buffered
    if (translate->parsed()) seq2seq::run_translate(translate_options, std::cin, std::cout, std::cerr);
    if (eval->parsed()) seq2seq::run_eval(eval_options, std::cout, std::cerr);
    return 0;
  });
}
