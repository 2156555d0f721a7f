// nanoGPT's CPU recipe in ag, timed: a 4-layer, 4-head, 128-wide character GPT (context 64, batch
// 12, no dropout, no bias, tied embeddings) trained for 2,000 steps on Tiny Shakespeare with AdamW
// (lr 1e-3, betas 0.9/0.99, weight decay 0.1 on matrices, warmup 100 then cosine to 1e-4, clip 1),
// then the validation loss on 200 random batches, then sampling speed.
//
//   build/bench/gpt_train_bench --data /work/shared/data/tinyshakespeare/input.txt --threads 1
//   build/bench/gpt_train_bench --steps 50 --warmup 10      # a short check: steps must exceed the warmup
//
// bench/gpt_train_torch.py does the same in PyTorch; bench/gpt_compare.py runs both side by side.
// Prints one JSON object: train_seconds (the steps alone, wall clock), train_cpu_seconds, valid_loss, sample_tokens_per_s (cached,
// one sample, temperature 0.8, top-k 200) and peak_rss_mb (the whole process).
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "ag/core/generator.h"
#include "ag/core/parallel.h"
#include "ag/optim/lr_scheduler.h"
#include "ag/train/run_program.h"
#include "bounds.h"
#include "corpus.h"
#include "evaluate.h"
#include "session.h"
#include "train.h"

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Processor time (user + system, every thread) so far: on a shared machine, what the work cost
// apart from the time spent waiting for a core.
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + 1e-6 * t.tv_usec; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"nanoGPT's CPU recipe on Tiny Shakespeare in ag"};
  gpt::TrainOptions o;  // its defaults are the recipe
  int64_t sample_tokens = 500, keep = 0;
  app.add_option("--data", o.data, "Tiny Shakespeare's input.txt (default: the bundled copy)");
  app.add_option("--threads", o.threads)->capture_default_str();
  app.add_option("--steps,--max-steps", o.max_steps, "optimizer steps; more than --warmup")->capture_default_str();
  app.add_option("--warmup", o.warmup, "linear warmup steps (the recipe's: 100)")->capture_default_str();
  app.add_option("--eval-batches", o.eval_batches)->capture_default_str();
  app.add_option("--sample-tokens", sample_tokens)->capture_default_str();
  app.add_option("--keep", keep, "tokens kept when the sampling window slides (0: half)")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 1;  // CLI11 prints the message
  }
  // A setting the recipe cannot run with (--steps 50 is below the warmup) is a message and exit 1.
  return ag::train::run_program("gpt_train_bench", std::cerr, [&] {
    o.validate();
    gpt::check_flag("--sample-tokens", sample_tokens, 1, gpt::kMaxSampleTokens);
    if (o.threads > 0) ag::set_num_threads(o.threads);
    ag::manual_seed(o.seed);

    const gpt::Text text = gpt::read_split_text(gpt::data_files(o), o.model.block_size);
    const gpt::Corpus corpus = gpt::tokenize(text, gpt::make_codec("char", 0, text, "", 0, std::cerr), o.model.block_size);
    const gpt::Codec& codec = corpus.codec;
    const gpt::Split& split = corpus.split;
    o.model.vocab_size = codec.size();
    gpt::GPT model(o.model);
    auto optimizer = gpt::make_optimizer(*model, o);
    ag::optim::WarmupCosineLR schedule(*optimizer, o.warmup, o.max_steps, o.min_lr);
    gpt::Batcher batcher(split.train, o.batch_size, o.model.block_size, o.seed);

    auto start = std::chrono::steady_clock::now();
    const double cpu_start = cpu_seconds();
    double train_loss = 0;
    for (int64_t step = 0; step < o.max_steps; ++step) {
      auto [x, y] = batcher.next();
      train_loss = gpt::train_step(*model, *optimizer, x, y, o.clip);
      schedule.step();
    }
    const double train_seconds = seconds_since(start), train_cpu_seconds = cpu_seconds() - cpu_start;
    const double valid_loss = gpt::estimate_loss(*model, split.valid, o.eval_batches, o.batch_size, o.seed + 1);

    model->eval();
    gpt::Session session(model, 1, true, keep);
    session.append(codec.encode("\n"));
    ag::data::Rng rng(o.seed);
    start = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < sample_tokens; ++i) session.step({0.8, 200, 1.0}, rng);
    const double sample_seconds = seconds_since(start);

    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::cout << nlohmann::json{{"side", "ag"},
                                {"threads", o.threads},
                                {"steps", o.max_steps},
                                {"train_seconds", train_seconds},
                                {"train_cpu_seconds", train_cpu_seconds},
                                {"train_loss", train_loss},
                                {"valid_loss", valid_loss},
                                {"sample_tokens_per_s", sample_tokens / sample_seconds},
                                {"peak_rss_mb", usage.ru_maxrss / 1024.0}}
                     .dump()
              << "\n";
    return 0;
  });
}
