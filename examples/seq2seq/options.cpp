// Training flags: the settings list of options.h made into flags, JSON, range checks and the
// --resume rule (ag/train/settings.h), plus what is seq2seq's own: the built-in task's defaults, the
// combinations of flags that cannot work, and --config files.
#include "options.h"

#include <vector>

#include "ag/core/error.h"
#include "ag/core/parallel.h"
#include "ag/train/settings_cli.h"

namespace seq2seq {

namespace {

const std::vector<ag::train::SettingSpec>& specs() { return ag::train::setting_specs<TrainOptions>(); }

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

  ag::train::add_setting_flags(app, o);
}

void finish_train_options(TrainOptions& o, const FlagGiven& was_given) {
  nlohmann::json values = to_json(o);
  if (o.data.built_in()) {
    for (const auto& [flag, value] : built_in_preset())
      if (!was_given(flag)) values[nlohmann::json::json_pointer(ag::train::find_setting(specs(), flag).key)] = value;
  }
  ag::train::settings_from_json(values, o);  // checks every range
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
  ag::check_threads_flag(o.threads);  // at most 8 threads per core of this machine
}

void merge_resume_options(const FlagGiven& was_given, const TrainOptions& given, TrainOptions& saved) {
  // Checks every range, the saved ones and the new ones.
  saved = ag::train::resume_settings(given, was_given, saved, "train",
                                     "only run length, reporting, --threads and --decay-steps may change");
  ag::check_threads_flag(saved.threads);  // the saved count may come from a machine with more cores
}

nlohmann::json to_json(const TrainOptions& o) { return ag::train::settings_to_json(o); }

nlohmann::json to_json(const ModelConfig& model) {
  TrainOptions o;
  o.model = model;
  return to_json(o)["model"];
}

TrainOptions train_options_from_json(const nlohmann::json& j) {
  TrainOptions o;
  try {
    ag::train::settings_from_json(j, o);
  } catch (const nlohmann::json::exception& e) {
    throw ag::Error(fmt::format("the saved training settings are incomplete or damaged ({}); was this checkpoint "
                                "written by another version of seq2seq?", e.what()));
  }
  return o;
}

}  // namespace seq2seq
