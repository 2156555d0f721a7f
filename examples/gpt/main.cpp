// gpt: train a GPT (nanoGPT's model) on characters or SentencePiece tokens and write with it.
//
//   gpt train                                  # Tiny Shakespeare, nanoGPT's CPU recipe
//   gpt train --resume runs/shakespeare        # after Ctrl-C: continue where it stopped
//   gpt train --tokenizer bpe --vocab-size 512 --out runs/bpe   # subword tokens
//   gpt train --data a.txt b.txt.gz --out runs/mine            # your own text files
//   gpt sample -m runs/shakespeare "ROMEO:" --tokens 300
//   gpt chat -m runs/shakespeare --user-name ROMEO --bot-name JULIET
//   gpt eval -m runs/shakespeare some.txt other.txt.gz
//
// See README.md beside this file.
#include <iostream>
#include <unistd.h>

#include "commands.h"
#include "examples/common/subcommands.h"

int main(int argc, char** argv) {
  examples::Subcommands program("gpt", "Train a GPT on characters or SentencePiece tokens and sample, chat and "
                                "score with it (ag's gpt example).");
  gpt::TrainOptions train;
  CLI::App* train_command = program.add(
      "train", "train a model (default: Tiny Shakespeare)", train, gpt::add_train_options, [&] {
        const auto was_given = [&train_command](const std::string& flag) { return train_command->count(flag) > 0; };
        const gpt::TrainResult result = gpt::train(train, std::cerr, examples::stderr_is_terminal(), was_given);
        return examples::finish_training(result.interrupted, result.sample.empty() ? "" : result.sample + "\n");
      });
  const bool terminal = isatty(STDIN_FILENO) != 0;
  gpt::SampleOptions sample;
  program.add("sample", "continue a prompt", sample, gpt::add_sample_options,
              [&] { gpt::run_sample(sample, std::cin, terminal, std::cout); return 0; });
  gpt::ChatCommandOptions chat;
  program.add("chat", "take turns with the model, one line at a time", chat, gpt::add_chat_options,
              [&] { gpt::run_chat(chat, std::cin, terminal, std::cout); return 0; });
  gpt::EvalOptions eval;
  program.add("eval", "loss, perplexity and bits per character on text files", eval, gpt::add_eval_options,
              [&] { gpt::run_eval(eval, std::cout); return 0; });
  return program.run(argc, argv);
}
