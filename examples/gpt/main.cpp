// gpt: train a GPT (nanoGPT's model) on characters or SentencePiece tokens and write with it.
//
//   gpt train                                  # Tiny Shakespeare, nanoGPT's CPU recipe
//   gpt train --resume runs/shakespeare        # after Ctrl-C: continue where it stopped
//   gpt train --tokenizer bpe --vocab-size 512 --out runs/bpe   # subword tokens
//   gpt sample -m runs/shakespeare "ROMEO:" --tokens 300
//   gpt chat -m runs/shakespeare --user-name ROMEO --bot-name JULIET
//   gpt eval -m runs/shakespeare some.txt
//
// See README.md beside this file.
#include <CLI/CLI.hpp>
#include <iostream>
#include <unistd.h>

#include "ag/train/interrupt.h"
#include "ag/train/run_program.h"
#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Train a GPT on characters or SentencePiece tokens and sample, chat and score with it (ag's gpt "
               "example)."};
  app.require_subcommand(1);
  gpt::TrainOptions train_options;
  CLI::App* train = app.add_subcommand("train", "train a model (default: Tiny Shakespeare)");
  gpt::add_train_options(*train, train_options);
  gpt::SampleOptions sample_options;
  CLI::App* sample = app.add_subcommand("sample", "continue a prompt");
  gpt::add_sample_options(*sample, sample_options);
  gpt::ChatCommandOptions chat_options;
  CLI::App* chat = app.add_subcommand("chat", "take turns with the model, one line at a time");
  gpt::add_chat_options(*chat, chat_options);
  gpt::EvalOptions eval_options;
  CLI::App* eval = app.add_subcommand("eval", "loss, perplexity and bits per character on a text file");
  gpt::add_eval_options(*eval, eval_options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 1;  // CLI11 prints the message; every error exits 1
  }

  return ag::train::run_program("gpt", std::cerr, [&] {
    const bool terminal = isatty(STDIN_FILENO) != 0;
    if (train->parsed()) {
      const gpt::TrainResult result = gpt::train(train_options, std::cerr, isatty(STDERR_FILENO) != 0);
      if (result.interrupted) return ag::train::kInterruptedExitCode;
      std::cout << result.sample << (result.sample.empty() ? "" : "\n");
    }
    if (sample->parsed()) gpt::run_sample(sample_options, std::cin, terminal, std::cout);
    if (chat->parsed()) gpt::run_chat(chat_options, std::cin, terminal, std::cout);
    if (eval->parsed()) gpt::run_eval(eval_options, std::cout);
    return 0;
  });
}
