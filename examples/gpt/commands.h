// The command line of `gpt`: each subcommand's flags and what it runs (`gpt train`'s flags are
// its settings list, options.h).
#pragma once
#include <CLI/CLI.hpp>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "chat.h"
#include "sampling.h"
#include "train.h"

namespace gpt {

struct SampleOptions {
  std::string model = "runs/shakespeare";
  std::string prompt;  // empty: standard input if it is not a terminal, else "\n"
  bool prompt_given = false;
  int64_t tokens = 500;
  int64_t num_samples = 1;
  int64_t keep = 0;  // tokens kept when the window slides (0: half the context)
  bool no_cache = false;
  SamplingOptions sampling{0.8, 200, 1.0};
  uint64_t seed = 1337;
  int threads = 0;
};

struct ChatCommandOptions {
  std::string model = "runs/shakespeare";
  ChatOptions chat;
  int threads = 0;
};

struct EvalOptions {
  std::string model = "runs/shakespeare";
  std::vector<std::string> texts;  // the files to score, each on its own
  int64_t batch_size = 16;
  int threads = 0;
};

void add_sample_options(CLI::App& app, SampleOptions& options);
void add_chat_options(CLI::App& app, ChatCommandOptions& options);
void add_eval_options(CLI::App& app, EvalOptions& options);

// Writes the prompt and then each sample: one sample streams token by token; several are sampled
// as one batch and written when done, each under a "--- sample i ---" line.
void run_sample(const SampleOptions& options, std::istream& in, bool in_is_terminal, std::ostream& out);
void run_chat(const ChatCommandOptions& options, std::istream& in, bool interactive, std::ostream& out);
void run_eval(const EvalOptions& options, std::ostream& out);

}  // namespace gpt
