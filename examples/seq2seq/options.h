// The settings of a training run, how they appear on the command line (and in a --config file,
// which CLI11 reads as TOML or INI: `d-model = 256`), and how a checkpoint stores them as JSON so
// that `--resume` continues with exactly the same run. Each setting is declared once, in
// TrainOptions::settings below; the flags, the JSON, the ranges and the --resume rule all come from
// that list (ag/train/settings.h).
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "ag/train/settings.h"
#include "model.h"

namespace seq2seq {

// Where the text comes from and how it becomes tokens.
struct DataOptions {
  std::string task = "dates";  // a built-in task (dates, copy, reverse, sort), used when no --src is given
  int64_t task_train = 20000;  // examples generated for the built-in task's splits
  int64_t task_valid = 1000;
  int64_t task_test = 1000;
  std::string src, tgt;              // training corpus (plain or .gz), one sentence a line
  std::string valid_src, valid_tgt;  // validation corpus
  std::string tokenizer;             // char, word, word-lc or spm; empty: char for tasks, spm for corpora
  int64_t vocab_size = 8000;         // SentencePiece pieces per side (including the four specials)
  std::string spm_type = "unigram";  // SentencePiece model type: unigram or bpe
  std::string src_spm, tgt_spm;      // existing SentencePiece models to use instead of training them
  int64_t min_freq = 1;              // char/word vocabularies: pieces seen fewer times become <unk>
  bool lowercase = false;            // lowercase all text (training, validation and translation input)
  int64_t max_tokens = 200;          // training pairs with a longer side (in tokens) are dropped

  bool built_in() const { return src.empty(); }
  bool operator==(const DataOptions&) const = default;
};

// How the model learns.
struct OptimOptions {
  double lr = 1e-3;              // peak learning rate (after warmup)
  std::string schedule = "inverse-sqrt";  // inverse-sqrt (Noam), cosine, or constant; all warm up
  int64_t warmup = 400;          // steps of linear warmup
  int64_t decay_steps = 0;       // cosine: the step where lr reaches 0 (0: --max-steps, else --epochs' steps)
  double label_smoothing = 0.1;
  double clip_norm = 1.0;        // 0 turns gradient clipping off
  double weight_decay = 0.0;     // AdamW's decoupled weight decay
  int64_t batch_tokens = 4096;   // token budget of a batch (sentences x longest side)
  bool operator==(const OptimOptions&) const = default;
};

// How long to train and how often to report. The first limit reached ends the run.
struct ScheduleOptions {
  int64_t epochs = 0;        // 0 = no limit
  int64_t max_steps = 0;     // 0 = no limit
  double max_time = 0;       // seconds of training; 0 = no limit (--max-time accepts 90, 90s, 5m, 1h30m)
  int64_t eval_every = 0;    // steps between validations; 0 = at the end of every epoch
  int64_t save_every = 0;    // steps between checkpoints; 0 = at every validation
  double target_exact_match = 0;  // stop once validation exact match reaches this (0..1); 0 = never
  bool operator==(const ScheduleOptions&) const = default;
};

struct TrainOptions {
  DataOptions data;
  ModelConfig model;  // the vocabulary sizes are filled in from the data
  OptimOptions optim;
  ScheduleOptions schedule;
  uint64_t seed = 1;
  int threads = 0;    // 0 = AG_NUM_THREADS or the number of cores

  // Not part of the saved run: where it goes and how it starts.
  std::string out;          // default: runs/<task> for a built-in task, runs/corpus otherwise
  bool force = false;       // start a fresh run in a non-empty --out, deleting what is there
  std::string resume;       // a run directory to continue
  std::string config_file;  // --config

  // Every saved setting, once: its flag, its key in the checkpoint's JSON, its help, its range and
  // whether --resume may change it (see ag/train/settings.h).
  template <typename Self, typename Setting>
  static void settings(Self& o, Setting&& setting);
};

// The values a numeric flag accepts. One declaration per flag serves the command line, a --config
// file and a checkpoint read on --resume alike: all three end up as the JSON of to_json(), which
// ag::train::check_settings reads. The bounds keep every size the program allocates from them (a
// positional table, a vocabulary; the thread pool's is ag::train::threads_setting's) far from what
// crashes or exhausts the machine; the limits on counts of steps are only there to refuse nonsense.
inline constexpr double kMaxPositions = 65536;  // tokens a sequence may have (also --max-tokens)
inline constexpr double kMaxSteps = 1e12;

template <typename Self, typename Setting>
void TrainOptions::settings(Self& o, Setting&& setting) {
  using ag::train::Range;
  constexpr auto kMayChange = ag::train::OnResume::kMayChange;
  const std::string data = "Data (no --src: the built-in task)";
  setting(o.data.task, {.flag = "--task", .key = "/data/task", .help = "built-in task: dates, copy, reverse or sort",
                        .choices = {"dates", "copy", "reverse", "sort"}, .group = data});
  setting(o.data.task_train, {.flag = "--task-train", .key = "/data/task_train",
                              .help = "built-in task: training examples", .range = Range{1, 1e8}, .group = data});
  setting(o.data.task_valid, {.flag = "--task-valid", .key = "/data/task_valid",
                              .help = "built-in task: validation examples", .range = Range{1, 1e8}, .group = data});
  setting(o.data.task_test, {.flag = "--task-test", .key = "/data/task_test",
                             .help = "built-in task: held-out test examples", .range = Range{0, 1e8}, .group = data});
  setting(o.data.src, {.flag = "--src", .key = "/data/src", .help = "training source file (plain or .gz)",
                       .existing_file = true, .group = data});
  setting(o.data.tgt, {.flag = "--tgt", .key = "/data/tgt", .help = "training target file, aligned with --src",
                       .existing_file = true, .group = data});
  setting(o.data.valid_src, {.flag = "--valid-src", .key = "/data/valid_src", .help = "validation source file",
                             .existing_file = true, .group = data});
  setting(o.data.valid_tgt, {.flag = "--valid-tgt", .key = "/data/valid_tgt", .help = "validation target file",
                             .existing_file = true, .group = data});
  setting(o.data.tokenizer, {.flag = "--tokenizer", .key = "/data/tokenizer",
                             .help = "char, word, word-lc or spm (default: char for the built-in task, spm for corpora)",
                             .choices = {"char", "word", "word-lc", "spm"}, .group = data});
  setting(o.data.vocab_size, {.flag = "--vocab-size", .key = "/data/vocab_size",
                              .help = "SentencePiece vocabulary size per side", .range = Range{5, 1e6}, .group = data});
  setting(o.data.spm_type, {.flag = "--spm-type", .key = "/data/spm_type", .help = "SentencePiece model: unigram or bpe",
                            .choices = {"unigram", "bpe"}, .group = data});
  setting(o.data.src_spm, {.flag = "--src-spm", .key = "/data/src_spm",
                           .help = "use this SentencePiece model for the source instead of training one",
                           .existing_file = true, .group = data});
  setting(o.data.tgt_spm, {.flag = "--tgt-spm", .key = "/data/tgt_spm",
                           .help = "use this SentencePiece model for the target", .existing_file = true, .group = data});
  setting(o.data.min_freq, {.flag = "--min-freq", .key = "/data/min_freq",
                            .help = "char/word vocabularies: rarer pieces become <unk>", .range = Range{1, 1e9},
                            .group = data});
  setting(o.data.lowercase, {.flag = "--lowercase", .key = "/data/lowercase",
                             .help = "lowercase all text, here and when translating", .group = data});
  setting(o.data.max_tokens, {.flag = "--max-tokens", .key = "/data/max_tokens",
                              .help = "drop training pairs with a side longer than this", .range = Range{1, kMaxPositions},
                              .group = data});

  const std::string model = "Model";
  setting(o.model.src_vocab_size, {.key = "/model/src_vocab_size"});  // both filled in from the data
  setting(o.model.tgt_vocab_size, {.key = "/model/tgt_vocab_size"});
  setting(o.model.d_model, {.flag = "--d-model", .key = "/model/d_model", .help = "width of embeddings and layers",
                            .range = Range{1, 8192}, .group = model});
  setting(o.model.nhead, {.flag = "--heads", .key = "/model/nhead", .help = "attention heads", .range = Range{1, 1024},
                          .group = model});
  setting(o.model.encoder_layers, {.flag = "--encoder-layers", .key = "/model/encoder_layers", .help = "encoder layers",
                                   .range = Range{1, 256}, .group = model});
  setting(o.model.decoder_layers, {.flag = "--decoder-layers", .key = "/model/decoder_layers", .help = "decoder layers",
                                   .range = Range{1, 256}, .group = model});
  setting(o.model.dim_feedforward, {.flag = "--ff", .key = "/model/dim_feedforward", .help = "feed-forward width",
                                    .range = Range{1, 65536}, .group = model});
  setting(o.model.dropout, {.flag = "--dropout", .key = "/model/dropout", .help = "dropout probability",
                            .range = Range{0, 1, false, true}, .group = model});
  setting(o.model.norm_first, {.flag = "--norm-first", .key = "/model/norm_first",
                               .help = "pre-LN layers instead of post-LN", .group = model});
  setting(o.model.max_positions, {.flag = "--max-positions", .key = "/model/max_positions",
                                  .help = "longest sequence the model reads, in tokens", .range = Range{1, kMaxPositions},
                                  .group = model});

  const std::string optim = "Optimisation";
  setting(o.optim.lr, {.flag = "--lr", .key = "/optim/lr", .help = "peak learning rate (Adam)",
                       .range = Range{0, 100, true}, .group = optim});
  setting(o.optim.schedule, {.flag = "--schedule", .key = "/optim/schedule",
                             .help = "after warmup: inverse-sqrt, cosine or constant",
                             .choices = {"inverse-sqrt", "cosine", "constant"}, .group = optim});
  setting(o.optim.warmup, {.flag = "--warmup", .key = "/optim/warmup", .help = "steps of linear learning-rate warmup",
                           .range = Range{0, kMaxSteps}, .group = optim});
  // May change, to stretch a cosine schedule over a longer run (see Trainer::warn_if_schedule_ends).
  setting(o.optim.decay_steps, {.flag = "--decay-steps", .key = "/optim/decay_steps",
                                .help = "cosine: decay to 0 over this many steps (0: --max-steps, or the steps of --epochs)",
                                .range = Range{0, kMaxSteps}, .on_resume = kMayChange, .group = optim});
  setting(o.optim.label_smoothing, {.flag = "--label-smoothing", .key = "/optim/label_smoothing",
                                    .help = "label smoothing", .range = Range{0, 1, false, true}, .group = optim});
  setting(o.optim.clip_norm, {.flag = "--clip-norm", .key = "/optim/clip_norm",
                              .help = "clip the gradient norm to this (0: off)", .range = Range{0, 1e9}, .group = optim});
  setting(o.optim.weight_decay, {.flag = "--weight-decay", .key = "/optim/weight_decay", .help = "AdamW weight decay",
                                 .range = Range{0, 100}, .group = optim});
  setting(o.optim.batch_tokens, {.flag = "--batch-tokens", .key = "/optim/batch_tokens",
                                 .help = "tokens per batch (sentences x longest side)", .range = Range{1, 1e8},
                                 .group = optim});
  setting(o.seed, {.flag = "--seed", .key = "/seed", .help = "random seed (data order, initialisation, dropout)",
                   .range = Range{0, 9e18}, .group = optim});

  const std::string run = "Run length and reporting (may change on --resume)";
  setting(o.schedule.epochs, {.flag = "--epochs", .key = "/schedule/epochs",
                              .help = "stop after this many epochs (0: no limit)", .range = Range{0, 1e9},
                              .on_resume = kMayChange, .group = run});
  setting(o.schedule.max_steps, {.flag = "--max-steps", .key = "/schedule/max_steps",
                                 .help = "stop after this many steps (0: no limit)", .range = Range{0, kMaxSteps},
                                 .on_resume = kMayChange, .group = run});
  setting(o.schedule.max_time, ag::train::max_time_setting("/schedule/max_time", run));
  setting(o.schedule.eval_every, {.flag = "--eval-every", .key = "/schedule/eval_every",
                                  .help = "steps between validations (0: every epoch)", .range = Range{0, kMaxSteps},
                                  .on_resume = kMayChange, .group = run});
  setting(o.schedule.save_every, {.flag = "--save-every", .key = "/schedule/save_every",
                                  .help = "steps between checkpoints (0: at validations)", .range = Range{0, kMaxSteps},
                                  .on_resume = kMayChange, .group = run});
  setting(o.schedule.target_exact_match, {.flag = "--target-exact-match", .key = "/schedule/target_exact_match",
                                          .help = "stop once validation exact match reaches this fraction (0: never)",
                                          .range = Range{0, 1}, .on_resume = kMayChange, .group = run});
  ag::train::SettingSpec threads = ag::train::threads_setting("/threads", run);
  threads.help = "threads per process (0: AG_NUM_THREADS, else the cores shared by the processes mpirun started on "
                 "this machine)";
  setting(o.threads, std::move(threads));
}

// Registers every training flag on `app`, bound to `options`.
void add_train_options(CLI::App& app, TrainOptions& options);

// `was_given(flag)` says whether a flag ("--max-steps") was given (on the command line: app.count).
using FlagGiven = ag::train::FlagGiven;

// Before a fresh run starts: checks every number against its flag's range, fills in defaults that depend on other settings (the built-in task's
// own settings for every flag not given, see options.cpp), and throws an ag::Error naming the flag
// for combinations that cannot work (--src without --tgt...).
void finish_train_options(TrainOptions& options, const FlagGiven& was_given);

// With --resume, the run's settings come from the checkpoint. Flags that only say how long to keep
// going (or how fast), and --decay-steps, may be given again and take effect; any other flag given on the command line
// that disagrees with the checkpoint is an error naming it, so a resumed run is never silently a
// different run.
void merge_resume_options(const FlagGiven& was_given, const TrainOptions& given, TrainOptions& saved);

nlohmann::json to_json(const TrainOptions& options);
// A model's description as every weights file keeps it: the "model" part of to_json().
nlohmann::json to_json(const ModelConfig& model);
// Throws an ag::Error naming the flag for a number outside its range (or a count that is not an integer).
TrainOptions train_options_from_json(const nlohmann::json& j);

}  // namespace seq2seq
