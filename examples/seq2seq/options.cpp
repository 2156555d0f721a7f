// Training flags: one table binds each flag to its setting and to its place in the saved JSON.
#include "options.h"

#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <vector>

#include "ag/core/error.h"
#include "ag/core/json_number.h"

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

// The values a numeric flag accepts. One declaration per flag (in add_train_options) serves the
// command line, a --config file and a checkpoint read on --resume alike: all three end up as the
// JSON of to_json(), which check_ranges reads. The bounds keep every size the program allocates
// from them (a thread pool, a positional table, a vocabulary) far from what crashes or exhausts
// the machine; the limits on counts of steps are only there to refuse nonsense.
constexpr double kMaxPositions = 65536;  // tokens a sequence may have (also --max-tokens)
constexpr double kMaxSteps = 1e12;
constexpr double kMaxThreads = 1024;      // libgomp fails long before 100000

struct Range {
  double min, max;
  bool open_min = false, open_max = false;  // (min, ...] or [..., max): the bound itself is refused
};

// A saved flag: its place in to_json()'s output ("--d-model" -> "/model/d_model") and, for a
// number, its range and whether it is an integer.
struct SavedFlag {
  std::string pointer;
  std::optional<Range> range;
  bool integer = false;
};

// Recorded by add_saved_option as add_train_options registers the flags.
std::map<std::string, SavedFlag>& flag_table() {
  static std::map<std::string, SavedFlag> table;
  return table;
}

// The complete table, also where no command line was parsed (a program or test calling train()).
const std::map<std::string, SavedFlag>& saved_flags() {
  static const bool registered = [] {
    CLI::App app;
    TrainOptions unused;
    add_train_options(app, unused);
    return true;
  }();
  (void)registered;
  return flag_table();
}

// Every numeric setting in `values` (to_json()'s layout) within its flag's range; integers must be
// written as integers (JSON's 2.0e19 or 1.5 where a count belongs is refused, not cast).
void check_ranges(const nlohmann::json& values) {
  for (const auto& [flag, saved] : saved_flags()) {
    const nlohmann::json::json_pointer at(saved.pointer);
    if (!saved.range || !values.contains(at)) continue;  // a missing key is reported by from_json
    const Range& r = *saved.range;
    const nlohmann::json& value = values[at];
    if (saved.integer) {
      ag::json_integer(value, flag, static_cast<int64_t>(r.min), static_cast<int64_t>(r.max));
      continue;
    }
    const double v = value.is_number() ? value.get<double>() : std::nan("");
    const bool above = r.open_min ? v > r.min : v >= r.min;
    const bool below = r.open_max ? v < r.max : v <= r.max;
    AG_CHECK(above && below, "{} must be a number in {}{}, {}{}, got {}", flag, r.open_min ? '(' : '[', r.min, r.max,
             r.open_max ? ')' : ']', value.dump());
  }
}

// Flags that may differ on --resume: how long to train, how often to report, how many threads, and
// where a cosine schedule ends (to stretch it over a longer run; see Trainer::warn_if_schedule_ends).
bool may_change_on_resume(const std::string& pointer) {
  return pointer.starts_with("/schedule/") || pointer == "/threads" || pointer == "/optim/decay_steps";
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
                              const std::string& help, std::optional<Range> range = std::nullopt) {
  flag_table()[flag] = {pointer, range, std::is_integral_v<T> && !std::is_same_v<T, bool>};
  if constexpr (std::is_same_v<T, bool>) return app.add_flag(flag, field, help);
  else return app.add_option(flag, field, help)->capture_default_str();
}

// The settings of a --config file (TOML or INI, `d-model = 256`, at the top level or in a [train]
// section) given to the flags the command line left out, as if typed there. CLI11's own set_config
// reads a file only for the top-level app, never for a subcommand such as `train`, and skips names
// it does not know; here an unknown name is an error naming it.
void apply_config_file(CLI::App& app, const std::string& path) {
  const auto formatter = app.get_config_formatter();
  for (const CLI::ConfigItem& item : formatter->from_file(path)) {
    const bool top_level = item.parents.empty() || item.parents == std::vector<std::string>{"train"};
    if (item.name == "++" || item.name == "--") continue;  // a section opens or closes
    CLI::Option* option = top_level ? app.get_option_no_throw("--" + item.name) : nullptr;
    if (option == nullptr || option->get_name() == "--config")
      throw CLI::ConfigError(fmt::format("--config {}: '{}' is not a flag of `seq2seq train` (write a flag without "
                                         "its dashes, like d-model = 256)", path, item.fullname()));
    if (option->count() > 0) continue;  // the command line wins
    if (option->get_expected_min() == 0) option->add_result(option->get_flag_value(item.name, formatter->to_flag(item)));
    else option->add_result(item.inputs);
    option->run_callback();  // converts and validates, as for a flag typed on the command line
  }
}

}  // namespace

void add_train_options(CLI::App& app, TrainOptions& o) {
  app.add_option("--config", o.config_file, "read flags from a TOML/INI file (`d-model = 256`); command-line flags win")
      ->check(CLI::ExistingFile);
  app.callback([&app, &o] {
    if (!o.config_file.empty()) apply_config_file(app, o.config_file);
  });
  app.add_option("--out", o.out, "directory for checkpoints, metrics and plots (default: runs/<task>, or runs/corpus)");
  app.add_flag("--force", o.force, "start a fresh run even if --out holds files (they are deleted)");
  app.add_option("--resume", o.resume, "continue the run saved in this directory")->check(CLI::ExistingDirectory);

  const std::string data = "Data (no --src: the built-in task)";
  add_saved_option(app, "--task", o.data.task, "/data/task", "built-in task: dates, copy, reverse or sort")
      ->check(CLI::IsMember({"dates", "copy", "reverse", "sort"}))->group(data);
  add_saved_option(app, "--task-train", o.data.task_train, "/data/task_train", "built-in task: training examples", Range{1, 1e8})->group(data);
  add_saved_option(app, "--task-valid", o.data.task_valid, "/data/task_valid", "built-in task: validation examples", Range{1, 1e8})->group(data);
  add_saved_option(app, "--task-test", o.data.task_test, "/data/task_test", "built-in task: held-out test examples", Range{0, 1e8})->group(data);
  add_saved_option(app, "--src", o.data.src, "/data/src", "training source file (plain or .gz)")->check(CLI::ExistingFile)->group(data);
  add_saved_option(app, "--tgt", o.data.tgt, "/data/tgt", "training target file, aligned with --src")->check(CLI::ExistingFile)->group(data);
  add_saved_option(app, "--valid-src", o.data.valid_src, "/data/valid_src", "validation source file")->check(CLI::ExistingFile)->group(data);
  add_saved_option(app, "--valid-tgt", o.data.valid_tgt, "/data/valid_tgt", "validation target file")->check(CLI::ExistingFile)->group(data);
  add_saved_option(app, "--tokenizer", o.data.tokenizer, "/data/tokenizer", "char, word, word-lc or spm (default: char for the built-in "
       "task, spm for corpora)")->check(CLI::IsMember({"char", "word", "word-lc", "spm"}))->group(data);
  add_saved_option(app, "--vocab-size", o.data.vocab_size, "/data/vocab_size", "SentencePiece vocabulary size per side", Range{5, 1e6})->group(data);
  add_saved_option(app, "--spm-type", o.data.spm_type, "/data/spm_type", "SentencePiece model: unigram or bpe")
      ->check(CLI::IsMember({"unigram", "bpe"}))->group(data);
  add_saved_option(app, "--src-spm", o.data.src_spm, "/data/src_spm", "use this SentencePiece model for the source instead of training one")
      ->check(CLI::ExistingFile)->group(data);
  add_saved_option(app, "--tgt-spm", o.data.tgt_spm, "/data/tgt_spm", "use this SentencePiece model for the target")
      ->check(CLI::ExistingFile)->group(data);
  add_saved_option(app, "--min-freq", o.data.min_freq, "/data/min_freq", "char/word vocabularies: rarer pieces become <unk>", Range{1, 1e9})->group(data);
  add_saved_option(app, "--lowercase", o.data.lowercase, "/data/lowercase", "lowercase all text, here and when translating")->group(data);
  add_saved_option(app, "--max-tokens", o.data.max_tokens, "/data/max_tokens", "drop training pairs with a side longer than this", Range{1, kMaxPositions})->group(data);

  const std::string model = "Model";
  add_saved_option(app, "--d-model", o.model.d_model, "/model/d_model", "width of embeddings and layers", Range{1, 8192})->group(model);
  add_saved_option(app, "--heads", o.model.nhead, "/model/nhead", "attention heads", Range{1, 1024})->group(model);
  add_saved_option(app, "--encoder-layers", o.model.encoder_layers, "/model/encoder_layers", "encoder layers", Range{1, 256})->group(model);
  add_saved_option(app, "--decoder-layers", o.model.decoder_layers, "/model/decoder_layers", "decoder layers", Range{1, 256})->group(model);
  add_saved_option(app, "--ff", o.model.dim_feedforward, "/model/dim_feedforward", "feed-forward width", Range{1, 65536})->group(model);
  add_saved_option(app, "--dropout", o.model.dropout, "/model/dropout", "dropout probability", Range{0, 1, false, true})->group(model);
  add_saved_option(app, "--norm-first", o.model.norm_first, "/model/norm_first", "pre-LN layers instead of post-LN")->group(model);
  add_saved_option(app, "--max-positions", o.model.max_positions, "/model/max_positions", "longest sequence the model reads, in tokens", Range{1, kMaxPositions})
      ->group(model);

  const std::string optim = "Optimisation";
  add_saved_option(app, "--lr", o.optim.lr, "/optim/lr", "peak learning rate (Adam)", Range{0, 100, true})->group(optim);
  add_saved_option(app, "--schedule", o.optim.schedule, "/optim/schedule", "after warmup: inverse-sqrt, cosine or constant")
      ->check(CLI::IsMember({"inverse-sqrt", "cosine", "constant"}))->group(optim);
  add_saved_option(app, "--warmup", o.optim.warmup, "/optim/warmup", "steps of linear learning-rate warmup", Range{0, kMaxSteps})->group(optim);
  add_saved_option(app, "--decay-steps", o.optim.decay_steps, "/optim/decay_steps",
                   "cosine: decay to 0 over this many steps (0: --max-steps, or the steps of --epochs)", Range{0, kMaxSteps})->group(optim);
  add_saved_option(app, "--label-smoothing", o.optim.label_smoothing, "/optim/label_smoothing", "label smoothing", Range{0, 1, false, true})->group(optim);
  add_saved_option(app, "--clip-norm", o.optim.clip_norm, "/optim/clip_norm", "clip the gradient norm to this (0: off)", Range{0, 1e9})->group(optim);
  add_saved_option(app, "--weight-decay", o.optim.weight_decay, "/optim/weight_decay", "AdamW weight decay", Range{0, 100})->group(optim);
  add_saved_option(app, "--batch-tokens", o.optim.batch_tokens, "/optim/batch_tokens", "tokens per batch (sentences x longest side)", Range{1, 1e8})
      ->group(optim);
  add_saved_option(app, "--seed", o.seed, "/seed", "random seed (data order, initialisation, dropout)", Range{0, 9e18})->group(optim);

  const std::string run = "Run length and reporting (may change on --resume)";
  add_saved_option(app, "--epochs", o.schedule.epochs, "/schedule/epochs", "stop after this many epochs (0: no limit)", Range{0, 1e9})->group(run);
  add_saved_option(app, "--max-steps", o.schedule.max_steps, "/schedule/max_steps", "stop after this many steps (0: no limit)", Range{0, kMaxSteps})->group(run);
  flag_table()["--max-time"] = {"/schedule/max_time", Range{0, 1e9}};
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
  add_saved_option(app, "--eval-every", o.schedule.eval_every, "/schedule/eval_every", "steps between validations (0: every epoch)", Range{0, kMaxSteps})->group(run);
  add_saved_option(app, "--save-every", o.schedule.save_every, "/schedule/save_every", "steps between checkpoints (0: at validations)", Range{0, kMaxSteps})
      ->group(run);
  add_saved_option(app, "--target-exact-match", o.schedule.target_exact_match, "/schedule/target_exact_match",
       "stop once validation exact match reaches this fraction (0: never)", Range{0, 1})->group(run);
  add_saved_option(app, "--threads", o.threads, "/threads",
                   "threads per process (0: AG_NUM_THREADS, else the cores shared by the processes mpirun started "
                   "on this machine)", Range{0, kMaxThreads})->group(run);
}

void finish_train_options(TrainOptions& o, const FlagGiven& was_given) {
  nlohmann::json values = to_json(o);
  if (o.data.built_in()) {
    for (const auto& [flag, value] : built_in_preset())
      if (!was_given(flag)) values[nlohmann::json::json_pointer(saved_flags().at(flag).pointer)] = value;
  }
  set_saved_values(o, values);  // checks every range
  if (o.data.built_in() && !was_given("--epochs") && !was_given("--max-steps") && !was_given("--max-time"))
    o.schedule.epochs = kBuiltInEpochs;
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
  AG_CHECK(o.optim.schedule != "cosine" || o.optim.decay_steps > 0 || o.schedule.max_steps > 0 || o.schedule.epochs > 0,
           "train: --schedule cosine decays to the end of training; give --max-steps, --epochs or --decay-steps");
  AG_CHECK(o.schedule.epochs > 0 || o.schedule.max_steps > 0 || o.schedule.max_time > 0 ||
               o.schedule.target_exact_match > 0,
           "train: nothing would stop this run; give --epochs, --max-steps or --max-time");
  o.model.validate();
}

void merge_resume_options(const FlagGiven& was_given, const TrainOptions& given, TrainOptions& saved) {
  const nlohmann::json given_json = to_json(given);
  nlohmann::json saved_json = to_json(saved);
  for (const auto& [flag, saved_flag] : saved_flags()) {
    if (!was_given(flag)) continue;
    const nlohmann::json::json_pointer at(saved_flag.pointer);
    if (may_change_on_resume(saved_flag.pointer)) {
      saved_json[at] = given_json[at];
      continue;
    }
    AG_CHECK(given_json[at] == saved_json[at],
             "train --resume: {} was {} in the saved run but {} now; a resumed run keeps its settings (only run "
             "length, reporting, --threads and --decay-steps may change). Drop {} or start a new run with --out.",
             flag, saved_json[at].dump(), given_json[at].dump(), flag);
  }
  set_saved_values(saved, saved_json);  // checks every range, the saved ones and the new ones
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
  check_ranges(j);
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
