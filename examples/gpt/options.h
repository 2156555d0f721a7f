// The settings of `gpt train`, declared once (ag/train/settings.h): from TrainOptions::settings come
// the flags and their --help, the JSON a checkpoint keeps, the ranges a flag and a checkpoint are
// both held to, and what `--resume` may change: the model, the text, its tokens, the optimizer and
// the batch must stay as the run started; how long it goes on, how often it reports and saves, and
// its threads may change.
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ag/train/flag_ranges.h"
#include "ag/train/settings.h"
#include "examples/common/adamw_settings.h"
#include "examples/common/step_settings.h"
#include "bounds.h"
#include "corpus.h"
#include "model.h"

namespace gpt {

struct TrainOptions {
  std::vector<std::string> data;   // text files, plain or .gz (see read_split_text); none: the bundled Tiny Shakespeare
  std::string tokenizer = "char";  // char, or SentencePiece: bpe or unigram (see codec.h)
  int64_t vocab_size = 0;          // SentencePiece's ids at most; 0: kDefaultVocabSize
  ModelConfig model;
  int64_t batch_size = 12;
  double lr = 1e-3, min_lr = 1e-4;
  double beta1 = 0.9, beta2 = 0.99;
  double weight_decay = 0.1;
  double clip = 1.0;  // max gradient norm; 0: no clipping
  int64_t warmup = 100;
  int64_t max_steps = 2000;
  // The cosine's length: the first session's max_steps (0 until train() sets it). A run resumed with a larger
  // --max-steps keeps the cosine it started with and trains its extra steps at min_lr, as nanoGPT
  // does past lr_decay_iters, rather than jumping back up to a learning rate it has left behind.
  int64_t decay_steps = 0;
  double max_time = 0;  // seconds of training over all sessions; 0: no limit
  int64_t eval_every = 250;
  int64_t eval_batches = 200;
  int64_t save_every = 250;     // steps between checkpoints (also saved at the end and on Ctrl-C)
  int64_t sample_tokens = 300;  // the sample printed at the end (0: none)
  int threads = 0;  // 0: AG_NUM_THREADS or every core; a resumed run is bit-exact with the same count
  uint64_t seed = 1337;

  // Not part of the saved run: where it goes and how it starts.
  std::string out = "runs/shakespeare";
  bool force = false;   // start over in a non-empty `out`, deleting what an earlier run wrote there
  std::string resume;   // a run directory to continue (its saved settings are used)

  void validate() const;  // throws an ag::Error naming the bad flag

  template <typename Self, typename Setting>
  static void settings(Self& o, Setting&& setting);
};

template <typename Self, typename Setting>
void TrainOptions::settings(Self& o, Setting&& setting) {
  using ag::train::Range;
  constexpr auto kMayChange = ag::train::OnResume::kMayChange;
  constexpr auto kMaxSteps = static_cast<double>(ag::train::kMaxSteps);
  const std::string data = "Data";
  setting(o.data, {.flag = "--data", .key = "/data",
                   .help = "training texts, plain or .gz: one or more files after --data, or --data again for each; "
                           "each file's first 90% trains and the rest validates (default: the bundled Tiny "
                           "Shakespeare). Given with --resume, it must name the run's own files",
                   .group = data});
  setting(o.tokenizer, {.flag = "--tokenizer", .key = "/tokenizer",
                        .help = "tokens: char, or SentencePiece bpe or unigram (trained on the text)",
                        .choices = {"char", "bpe", "unigram"}, .group = data});
  setting(o.vocab_size, {.flag = "--vocab-size", .key = "/vocab_size",
                         .help = fmt::format("SentencePiece's tokens at most (0: {})", kDefaultVocabSize),
                         .range = Range{0, 1 << 20}, .group = data});
  ag::train::nested_settings(o.model, "/model", setting);

  const std::string optim = "Optimisation";
  setting(o.batch_size, {.flag = "--batch-size", .key = "/batch_size", .help = "windows per step",
                         .range = Range{1, 65536}, .group = optim});
  examples::adamw_settings(o, setting, {.lr = 10, .weight_decay = 10, .clip = 1e6, .warmup = kMaxSteps}, optim);
  setting(o.beta1, {.key = "/beta1", .range = Range{0, 1, false, true}});
  setting(o.beta2, {.key = "/beta2", .range = Range{0, 1, false, true}});
  setting(o.seed, {.flag = "--seed", .key = "/seed", .help = "random seed (model, batches, dropout)",
                   .range = Range{0, 1e18}, .group = optim});

  const std::string run = "Run length and reporting (may change on --resume)";
  examples::step_settings(o, setting, "steps between validation losses", run);
  setting(o.eval_batches, {.flag = "--eval-batches", .key = "/eval_batches",
                           .help = "random validation batches per estimate", .range = Range{1, 1e6},
                           .on_resume = kMayChange, .group = run});
  setting(o.sample_tokens, {.flag = "--sample-tokens", .key = "/sample_tokens",
                            .help = "tokens sampled at the end (0: none)", .range = Range{0, kMaxSampleTokens},
                            .on_resume = kMayChange, .group = run});
}

void add_train_options(CLI::App& app, TrainOptions& options);

// The settings a checkpoint keeps, each held to its range (a message names `where`, the file, and
// the key), from the layout of any gpt train so far. Throws an ag::Error.
TrainOptions saved_train_options(const nlohmann::json& saved, const std::string& where);

// --resume: the saved settings with the flags the user gave again (`was_given`) merged in
// (ag::train::merge_resumed_settings): a flag that shapes the run and differs is an error naming
// it; one under "Run length and reporting" takes effect. --data may be given if it names the run's
// own files, in their order (spelt as the user likes); other files are refused.
TrainOptions resumed_train_options(const TrainOptions& given, const ag::train::FlagGiven& was_given,
                                   const TrainOptions& saved);

}  // namespace gpt
