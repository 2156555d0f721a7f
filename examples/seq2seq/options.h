// The settings of a training run, how they appear on the command line (and in a --config file,
// which CLI11 reads as TOML or INI: `d-model = 256`), and how a checkpoint stores them as JSON so
// that `--resume` continues with exactly the same run.
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

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
};

// Registers every training flag on `app`, bound to `options`.
void add_train_options(CLI::App& app, TrainOptions& options);

// `was_given(flag)` says whether a flag ("--max-steps") was given (on the command line: app.count).
using FlagGiven = std::function<bool(const std::string&)>;

// Before a fresh run starts: checks every number against its flag's range, fills in defaults that depend on other settings (the built-in task's
// own settings for every flag not given, see options.cpp), and throws an ag::Error naming the flag
// for combinations that cannot work (--src without --tgt...).
void finish_train_options(TrainOptions& options, const FlagGiven& was_given);

// With --resume, the run's settings come from the checkpoint. Flags that only say how long to keep
// going (or how fast), and --decay-steps, may be given again and take effect; any other flag given on the command line
// that disagrees with the checkpoint is an error naming it, so a resumed run is never silently a
// different run.
void merge_resume_options(const FlagGiven& was_given, const TrainOptions& given, TrainOptions& saved);

// "90", "90s", "5m", "1h30m", "2h" -> seconds; throws naming the text otherwise.
double parse_duration(const std::string& text);

nlohmann::json to_json(const TrainOptions& options);
// Throws an ag::Error naming the flag for a number outside its range (or a count that is not an integer).
TrainOptions train_options_from_json(const nlohmann::json& j);

}  // namespace seq2seq
