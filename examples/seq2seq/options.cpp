// Training flags: one table binds each flag to its setting and to its place in the saved JSON.
#include "options.h"

#include <cctype>
#include <map>

#include "ag/core/error.h"

namespace seq2seq {

// The JSON form of each settings group, field by field (nlohmann's macros).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DataOptions, task, task_train, task_valid, task_test, src, tgt, valid_src,
                                   valid_tgt, tokenizer, vocab_size, spm_type, src_spm, tgt_spm, min_freq, lowercase,
                                   max_tokens)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(OptimOptions, lr, schedule, warmup, decay_steps, label_smoothing, clip_norm, weight_decay,
                                   batch_tokens)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ScheduleOptions, epochs, max_steps, max_time, eval_every, save_every,
                                   target_exact_match)

namespace {

// Each saved flag's place in to_json()'s output, e.g. "--d-model" -> "/model/d_model", recorded by
// add_saved_option as add_train_options registers the flags.
std::map<std::string, std::string>& flag_pointers() {
  static std::map<std::string, std::string> pointers;
  return pointers;
}

// The complete table, also where no command line was parsed (a program or test calling train()).
const std::map<std::string, std::string>& saved_flags() {
  static const bool registered = [] {
    CLI::App app;
    TrainOptions unused;
    add_train_options(app, unused);
    return true;
  }();
  (void)registered;
  return flag_pointers();
}

// Flags that may differ on --resume: how long to train, how often to report, how many threads.
bool may_change_on_resume(const std::string& pointer) {
  return pointer.starts_with("/schedule/") || pointer == "/threads";
}

// The built-in date task's settings, measured to pass 98% exact match on its held-out test set
// well within 5 minutes on 2 cores: pre-LN lets a small model take a high learning rate from a short
// warmup, and with 20,000 clean examples regularisation only slows learning down. One thread: a
// 64-wide model gains little from a second one, and threads that wait on each other at every op
// run many times slower when another program shares the cores (measured: 15x on a busy machine).
// They apply to the built-in task only, flag by flag, where the user gave no value.
const std::vector<std::pair<std::string, nlohmann::json>>& built_in_preset() {
  static const std::vector<std::pair<std::string, nlohmann::json>> preset = {
      {"--d-model", 64},      {"--ff", 256},       {"--norm-first", true},    {"--dropout", 0.0},
      {"--label-smoothing", 0.0}, {"--lr", 3e-3},  {"--warmup", 200},         {"--schedule", "cosine"},
      {"--batch-tokens", 2048}, {"--threads", 1},      {"--target-exact-match", 1.0}};
  return preset;
}
constexpr int64_t kBuiltInEpochs = 12;  // unless --epochs, --max-steps or --max-time is given

// `values` (JSON at the flags' pointers) written into `o`, keeping what JSON does not hold.
void set_saved_values(TrainOptions& o, const nlohmann::json& values) {
  TrainOptions updated = train_options_from_json(values);
  updated.out = o.out;
  updated.force = o.force;
  updated.resume = o.resume;
  updated.config_file = o.config_file;
  o = std::move(updated);
}

template <typename T>
CLI::Option* add_saved_option(CLI::App& app, const std::string& flag, T& field, const std::string& pointer,
                  const std::string& help) {
  flag_pointers()[flag] = pointer;
  if constexpr (std::is_same_v<T, bool>) return app.add_flag(flag, field, help);
  else return app.add_option(flag, field, help)->capture_default_str();
}

}  // namespace

void add_train_options(CLI::App& app, TrainOptions& o) {
  app.set_config("--config", "", "read flags from a TOML/INI file (`d-model = 256`); command-line flags win");
  app.add_option("--out", o.out, "directory for checkpoints, metrics and plots (default: runs/<task>, or runs/corpus)");
  app.add_flag("--force", o.force, "start a fresh run even if --out holds files (they are deleted)");
  app.add_option("--resume", o.resume, "continue the run saved in this directory")->check(CLI::ExistingDirectory);

  const std::string data = "Data (no --src: the built-in task)";
  add_saved_option(app, "--task", o.data.task, "/data/task", "built-in task: dates, copy, reverse or sort")
      ->check(CLI::IsMember({"dates", "copy", "reverse", "sort"}))->group(data);
  add_saved_option(app, "--task-train", o.data.task_train, "/data/task_train", "built-in task: training examples")->group(data);
  add_saved_option(app, "--task-valid", o.data.task_valid, "/data/task_valid", "built-in task: validation examples")->group(data);
  add_saved_option(app, "--task-test", o.data.task_test, "/data/task_test", "built-in task: held-out test examples")->group(data);
  add_saved_option(app, "--src", o.data.src, "/data/src", "training source file (plain or .gz)")->check(CLI::ExistingFile)->group(data);
  add_saved_option(app, "--tgt", o.data.tgt, "/data/tgt", "training target file, aligned with --src")->check(CLI::ExistingFile)->group(data);
  add_saved_option(app, "--valid-src", o.data.valid_src, "/data/valid_src", "validation source file")->check(CLI::ExistingFile)->group(data);
  add_saved_option(app, "--valid-tgt", o.data.valid_tgt, "/data/valid_tgt", "validation target file")->check(CLI::ExistingFile)->group(data);
  add_saved_option(app, "--tokenizer", o.data.tokenizer, "/data/tokenizer", "char, word, word-lc or spm (default: char for the built-in "
       "task, spm for corpora)")->check(CLI::IsMember({"char", "word", "word-lc", "spm"}))->group(data);
  add_saved_option(app, "--vocab-size", o.data.vocab_size, "/data/vocab_size", "SentencePiece vocabulary size per side")->group(data);
  add_saved_option(app, "--spm-type", o.data.spm_type, "/data/spm_type", "SentencePiece model: unigram or bpe")
      ->check(CLI::IsMember({"unigram", "bpe"}))->group(data);
  add_saved_option(app, "--src-spm", o.data.src_spm, "/data/src_spm", "use this SentencePiece model for the source instead of training one")
      ->check(CLI::ExistingFile)->group(data);
  add_saved_option(app, "--tgt-spm", o.data.tgt_spm, "/data/tgt_spm", "use this SentencePiece model for the target")
      ->check(CLI::ExistingFile)->group(data);
  add_saved_option(app, "--min-freq", o.data.min_freq, "/data/min_freq", "char/word vocabularies: rarer pieces become <unk>")->group(data);
  add_saved_option(app, "--lowercase", o.data.lowercase, "/data/lowercase", "lowercase all text, here and when translating")->group(data);
  add_saved_option(app, "--max-tokens", o.data.max_tokens, "/data/max_tokens", "drop training pairs with a side longer than this")->group(data);

  const std::string model = "Model";
  add_saved_option(app, "--d-model", o.model.d_model, "/model/d_model", "width of embeddings and layers")->group(model);
  add_saved_option(app, "--heads", o.model.nhead, "/model/nhead", "attention heads")->group(model);
  add_saved_option(app, "--encoder-layers", o.model.encoder_layers, "/model/encoder_layers", "encoder layers")->group(model);
  add_saved_option(app, "--decoder-layers", o.model.decoder_layers, "/model/decoder_layers", "decoder layers")->group(model);
  add_saved_option(app, "--ff", o.model.dim_feedforward, "/model/dim_feedforward", "feed-forward width")->group(model);
  add_saved_option(app, "--dropout", o.model.dropout, "/model/dropout", "dropout probability")->group(model);
  add_saved_option(app, "--norm-first", o.model.norm_first, "/model/norm_first", "pre-LN layers instead of post-LN")->group(model);
  add_saved_option(app, "--max-positions", o.model.max_positions, "/model/max_positions", "longest sequence the model reads, in tokens")
      ->group(model);

  const std::string optim = "Optimisation";
  add_saved_option(app, "--lr", o.optim.lr, "/optim/lr", "peak learning rate (Adam)")->group(optim);
  add_saved_option(app, "--schedule", o.optim.schedule, "/optim/schedule", "after warmup: inverse-sqrt, cosine or constant")
      ->check(CLI::IsMember({"inverse-sqrt", "cosine", "constant"}))->group(optim);
  add_saved_option(app, "--warmup", o.optim.warmup, "/optim/warmup", "steps of linear learning-rate warmup")->group(optim);
  add_saved_option(app, "--decay-steps", o.optim.decay_steps, "/optim/decay_steps",
                   "cosine: decay to 0 over this many steps (0: --max-steps, or the steps of --epochs)")->group(optim);
  add_saved_option(app, "--label-smoothing", o.optim.label_smoothing, "/optim/label_smoothing", "label smoothing")->group(optim);
  add_saved_option(app, "--clip-norm", o.optim.clip_norm, "/optim/clip_norm", "clip the gradient norm to this (0: off)")->group(optim);
  add_saved_option(app, "--weight-decay", o.optim.weight_decay, "/optim/weight_decay", "AdamW weight decay")->group(optim);
  add_saved_option(app, "--batch-tokens", o.optim.batch_tokens, "/optim/batch_tokens", "tokens per batch (sentences x longest side)")
      ->group(optim);
  add_saved_option(app, "--seed", o.seed, "/seed", "random seed (data order, initialisation, dropout)")->group(optim);

  const std::string run = "Run length and reporting (may change on --resume)";
  add_saved_option(app, "--epochs", o.schedule.epochs, "/schedule/epochs", "stop after this many epochs (0: no limit)")->group(run);
  add_saved_option(app, "--max-steps", o.schedule.max_steps, "/schedule/max_steps", "stop after this many steps (0: no limit)")->group(run);
  flag_pointers()["--max-time"] = "/schedule/max_time";
  const auto set_max_time = [&o](const std::string& text) {
    try {
      o.schedule.max_time = parse_duration(text);
    } catch (const ag::Error& e) {
      throw CLI::ValidationError(e.what());  // reported by CLI11 like any other bad flag
    }
  };
  app.add_option_function<std::string>("--max-time", set_max_time,
                                       "stop after this much training time: 90, 90s, 5m, 1h30m (0: no limit)")
      ->group(run);
  add_saved_option(app, "--eval-every", o.schedule.eval_every, "/schedule/eval_every", "steps between validations (0: every epoch)")->group(run);
  add_saved_option(app, "--save-every", o.schedule.save_every, "/schedule/save_every", "steps between checkpoints (0: at validations)")
      ->group(run);
  add_saved_option(app, "--target-exact-match", o.schedule.target_exact_match, "/schedule/target_exact_match",
       "stop once validation exact match reaches this fraction (0: never)")->group(run);
  add_saved_option(app, "--threads", o.threads, "/threads", "threads (0: AG_NUM_THREADS or all cores)")->group(run);
}

void finish_train_options(TrainOptions& o, const FlagGiven& was_given) {
  if (o.data.built_in()) {
    nlohmann::json values = to_json(o);
    for (const auto& [flag, value] : built_in_preset())
      if (!was_given(flag)) values[nlohmann::json::json_pointer(saved_flags().at(flag))] = value;
    set_saved_values(o, values);
    if (!was_given("--epochs") && !was_given("--max-steps") && !was_given("--max-time"))
      o.schedule.epochs = kBuiltInEpochs;
  }
  DataOptions& d = o.data;
  AG_CHECK(d.src.empty() == d.tgt.empty(), "train: give both --src and --tgt (the two sides of the training corpus), or "
           "neither for the built-in task");
  AG_CHECK(d.valid_src.empty() == d.valid_tgt.empty(), "train: give both --valid-src and --valid-tgt, or neither");
  AG_CHECK(!d.built_in() || d.valid_src.empty(), "train: --valid-src/--valid-tgt need --src/--tgt; the built-in task "
           "makes its own validation set");
  AG_CHECK(d.built_in() || !d.valid_src.empty(), "train: a corpus needs a validation set: add --valid-src and --valid-tgt");
  if (o.out.empty()) o.out = d.built_in() ? "runs/" + d.task : "runs/corpus";
  if (d.tokenizer.empty()) d.tokenizer = d.built_in() ? "char" : "spm";
  AG_CHECK(d.tokenizer == "spm" || (d.src_spm.empty() && d.tgt_spm.empty()),
           "train: --src-spm/--tgt-spm need --tokenizer spm (it is {})", d.tokenizer);
  AG_CHECK(!d.built_in() || d.tokenizer != "spm" || !d.src_spm.empty(),
           "train: SentencePiece models are trained on --src/--tgt files; the built-in task has none, so use "
           "--tokenizer char (the default) or give --src-spm and --tgt-spm");
  AG_CHECK(d.task_train > 0 && d.task_valid > 0 && d.task_test >= 0,
           "train: --task-train and --task-valid must be positive, --task-test non-negative");
  AG_CHECK(d.vocab_size > 4, "train: --vocab-size must be more than 4, got {}", d.vocab_size);
  AG_CHECK(d.max_tokens > 0, "train: --max-tokens must be positive, got {}", d.max_tokens);
  AG_CHECK(o.optim.lr > 0, "train: --lr must be positive, got {}", o.optim.lr);
  AG_CHECK(o.optim.warmup >= 0, "train: --warmup must be non-negative, got {}", o.optim.warmup);
  AG_CHECK(o.optim.label_smoothing >= 0 && o.optim.label_smoothing < 1,
           "train: --label-smoothing must be in [0, 1), got {}", o.optim.label_smoothing);
  AG_CHECK(o.optim.batch_tokens > 0, "train: --batch-tokens must be positive, got {}", o.optim.batch_tokens);
  AG_CHECK(o.optim.schedule != "cosine" || o.optim.decay_steps > 0 || o.schedule.max_steps > 0 || o.schedule.epochs > 0,
           "train: --schedule cosine decays to the end of training; give --max-steps, --epochs or --decay-steps");
  AG_CHECK(o.schedule.epochs > 0 || o.schedule.max_steps > 0 || o.schedule.max_time > 0 ||
               o.schedule.target_exact_match > 0,
           "train: nothing would stop this run; give --epochs, --max-steps or --max-time");
  AG_CHECK(o.threads >= 0, "train: --threads must be non-negative, got {}", o.threads);
  o.model.validate();
}

void merge_resume_options(const FlagGiven& was_given, const TrainOptions& given, TrainOptions& saved) {
  const nlohmann::json given_json = to_json(given);
  nlohmann::json saved_json = to_json(saved);
  for (const auto& [flag, pointer] : saved_flags()) {
    if (!was_given(flag)) continue;
    const nlohmann::json::json_pointer at(pointer);
    if (may_change_on_resume(pointer)) {
      saved_json[at] = given_json[at];
      continue;
    }
    AG_CHECK(given_json[at] == saved_json[at],
             "train --resume: {} was {} in the saved run but {} now; a resumed run keeps its settings (only run "
             "length, reporting and --threads may change). Drop {} or start a new run with --out.",
             flag, saved_json[at].dump(), given_json[at].dump(), flag);
  }
  set_saved_values(saved, saved_json);
}

double parse_duration(const std::string& text) {
  double total = 0;
  size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    size_t used = 0;
    double value = 0;
    try {
      value = std::stod(text.substr(i), &used);
    } catch (const std::exception&) {
      used = 0;
    }
    AG_CHECK(used > 0 && value >= 0, "--max-time: cannot read '{}'; write seconds or a duration like 90s, 5m, 1h30m",
             text);
    i += used;
    double unit = 1;
    if (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) {
      const char u = text[i++];
      AG_CHECK(u == 's' || u == 'm' || u == 'h', "--max-time: unknown unit '{}' in '{}'; use s, m or h", u, text);
      unit = u == 'h' ? 3600 : u == 'm' ? 60 : 1;
    }
    total += value * unit;
    any = true;
  }
  AG_CHECK(any, "--max-time: empty duration");
  return total;
}

nlohmann::json to_json(const TrainOptions& o) {
  return {{"data", o.data}, {"model", o.model}, {"optim", o.optim}, {"schedule", o.schedule}, {"seed", o.seed},
          {"threads", o.threads}};
}

TrainOptions train_options_from_json(const nlohmann::json& j) {
  TrainOptions o;
  try {
    j.at("data").get_to(o.data);
    j.at("model").get_to(o.model);
    j.at("optim").get_to(o.optim);
    j.at("schedule").get_to(o.schedule);
    j.at("seed").get_to(o.seed);
    j.at("threads").get_to(o.threads);
  } catch (const nlohmann::json::exception& e) {
    throw ag::Error(fmt::format("the saved training settings are incomplete or damaged ({}); was this checkpoint "
                                "written by another version of seq2seq?", e.what()));
  }
  return o;
}

}  // namespace seq2seq
