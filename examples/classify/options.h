// The settings of `classify train`, declared once (ag/train/settings.h): from TrainOptions::settings
// come the flags and their --help, the JSON a checkpoint keeps, the ranges a flag and a checkpoint
// are both held to, and what `--resume` may change: the data, the tokens, the model, the optimizer
// and the batch must stay as the run started; how long it goes on, how often it validates, and its
// threads may change.
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ag/train/flag_ranges.h"
#include "ag/train/settings.h"
#include "examples/common/adamw_settings.h"
#include "model.h"

namespace classify {

struct TrainOptions {
  std::string train;  // a class folder or label<TAB>text file; empty: the built-in task
  std::string val;    // the same for validation; empty: hold out `holdout` of the training texts
  bool mail = false;  // the folders hold raw mail (ag/data/mail.h cleans it)
  std::vector<std::string> mail_headers;  // headers kept besides the subject, e.g. From, X-Mailer
  ModelConfig model;
  int vocab_size = 4000;  // SentencePiece pieces at most
  int64_t batch_size = 32;
  int64_t epochs = 10;
  // The cosine's length in epochs: the first session's epochs (0 until train() sets it). A run
  // resumed with more --epochs keeps the cosine it started with and trains its extra epochs at
  // min_lr, rather than jumping back up to a learning rate it has left behind.
  int64_t decay_epochs = 0;
  double lr = 5e-4, min_lr = 5e-5;
  double weight_decay = 0.01;
  double clip = 1.0;  // max gradient norm; 0: no clipping
  int64_t warmup = 100;
  double label_smoothing = 0.0;
  double ema = 0;  // decay of an exponential moving average of the weights, validated and kept instead (0: none)
  std::string class_weights = "none";  // "balanced": each class weighs total / (classes * its count)
  double holdout = 0.1;
  int64_t eval_every = 0;  // steps between validations; 0: once per epoch
  double max_time = 0;     // seconds of training over all sessions; 0: no limit
  int threads = 0;         // 0: AG_NUM_THREADS or every core; a resumed run is bit-exact with the same count
  uint64_t seed = 1;

  // Not part of the saved run: where it goes and how it starts.
  std::string out = "runs/classify";
  bool force = false;
  std::string resume;

  void validate() const;  // throws an ag::Error naming the first flag out of its range

  template <typename Self, typename Setting>
  static void settings(Self& o, Setting&& setting);
};

template <typename Self, typename Setting>
void TrainOptions::settings(Self& o, Setting&& setting) {
  using ag::train::Range;
  constexpr auto kMayChange = ag::train::OnResume::kMayChange;
  constexpr auto kMaxSteps = static_cast<double>(ag::train::kMaxSteps);
  const std::string data = "Data";
  setting(o.train, {.flag = "--train", .key = "/train",
                    .help = "a folder of class folders ({label}/*.txt) or a label<TAB>text file (default: the built-in "
                            "task)",
                    .group = data});
  setting(o.val, {.flag = "--val", .key = "/val", .help = "validation texts, in either layout (default: --holdout of "
                  "--train)", .group = data});
  setting(o.mail, {.flag = "--mail", .key = "/mail",
                   .help = "the folders hold raw e-mail: decode MIME, base64, quoted-printable, HTML", .group = data});
  setting(o.mail_headers, {.flag = "--mail-headers", .key = "/mail_headers",
                           .help = "with --mail: headers to keep besides the subject (From,X-Mailer)", .group = data});
  setting(o.holdout, {.flag = "--holdout", .key = "/holdout",
                      .help = "fraction of --train held out for validation without --val",
                      .range = Range{0, 1, true, true}, .group = data});
  setting(o.vocab_size, {.flag = "--vocab-size", .key = "/vocab_size", .help = "SentencePiece pieces at most",
                         .range = Range{5, 1e6}, .group = data});
  ag::train::nested_settings(o.model, "/model", setting);

  const std::string optim = "Optimisation";
  setting(o.batch_size, {.flag = "--batch-size", .key = "/batch_size", .help = "texts per step",
                         .range = Range{1, 65536}, .group = optim});
  examples::adamw_settings(o, setting, {.lr = 100, .weight_decay = 100, .clip = 1e9, .warmup = kMaxSteps}, optim);
  setting(o.label_smoothing, {.flag = "--label-smoothing", .key = "/label_smoothing", .help = "label smoothing",
                              .range = Range{0, 1, false, true}, .group = optim});
  setting(o.ema, {.flag = "--ema", .key = "/ema",
                  .help = "keep a moving average of the weights with this decay, e.g. 0.999 (0: off)",
                  .range = Range{0, 1, false, true}, .group = optim});
  setting(o.class_weights, {.flag = "--class-weights", .key = "/class_weights",
                            .help = "none, or balanced: rare classes weigh more in the loss",
                            .choices = {"none", "balanced"}, .group = optim});
  setting(o.seed, {.flag = "--seed", .key = "/seed", .help = "random seed (model, batches, dropout)",
                   .range = Range{0, 9e18}, .group = optim});

  const std::string run = "Run length and reporting (may change on --resume)";
  setting(o.epochs, {.flag = "--epochs", .key = "/epochs",
                     .help = "passes over the training texts in all; the cosine decays over the first session's "
                             "--epochs, and a run resumed with more trains the extra epochs at --min-lr",
                     .range = Range{1, 100000}, .on_resume = kMayChange, .group = run});
  setting(o.decay_epochs, {.key = "/decay_epochs", .range = Range{0, 100000}});  // set by train()
  setting(o.max_time, ag::train::max_time_setting("/max_time", run));
  setting(o.eval_every, {.flag = "--eval-every", .key = "/eval_every",
                         .help = "steps between validations and checkpoints (0: every epoch)",
                         .range = Range{0, kMaxSteps}, .on_resume = kMayChange, .group = run});
  setting(o.threads, ag::train::threads_setting("/threads", run));
}

void add_train_options(CLI::App& app, TrainOptions& options);

// The settings a checkpoint keeps, each held to its range (a message names `where`, the file, and
// the key), from the layout of any classify train so far. Throws an ag::Error.
TrainOptions saved_train_options(const nlohmann::json& saved, const std::string& where);

}  // namespace classify
