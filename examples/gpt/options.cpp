// `gpt train`'s settings list made into flags, a checkpoint's settings read back (from any gpt so
// far), the --resume rule, and the checks of the settings as a whole.
#include "options.h"

#include <algorithm>

#include "ag/core/error.h"
#include "ag/train/settings_cli.h"
#include "train.h"

namespace gpt {

namespace {

using nlohmann::json;

// A checkpoint of an earlier gpt train in today's layout: before several files, "data" was one path
// ("" for the bundled text); before SentencePiece there was no "tokenizer" (it was characters);
// before the settings list, --threads and --max-time were not kept (a resumed run took them from its
// command line, 0 unless given) and the cosine's length was max_steps.
json upgrade(json settings) {
  if (!settings.is_object()) return settings;
  if (settings.contains("data") && settings["data"].is_string()) {
    const auto path = settings["data"].get<std::string>();
    settings["data"] = path.empty() ? json::array() : json::array({path});
  }
  if (!settings.contains("tokenizer") && !settings.contains("vocab_size"))
    settings["tokenizer"] = "char", settings["vocab_size"] = 0;
  if (!settings.contains("threads")) settings["threads"] = 0;
  if (!settings.contains("max_time")) settings["max_time"] = 0;
  if (!settings.contains("decay_steps") && settings.contains("max_steps")) settings["decay_steps"] = settings["max_steps"];
  return settings;
}

}  // namespace

void add_train_options(CLI::App& app, TrainOptions& o) {
  app.add_option("--out", o.out, "run directory (checkpoint, weights, metrics.jsonl, loss.svg)")->capture_default_str();
  app.add_flag("--force", o.force, "start over in a non-empty --out, deleting the files an earlier run wrote");
  app.add_option("--resume", o.resume, "continue the run in this directory with its saved settings");
  ag::train::add_setting_flags(app, o);
}

void TrainOptions::validate() const {
  ag::train::check_settings(ag::train::setting_specs<TrainOptions>(), ag::train::settings_to_json(*this));
  model.validate();
  AG_CHECK(min_lr <= lr, "--min-lr ({}) must not exceed --lr ({})", min_lr, lr);
  AG_CHECK(max_steps > warmup, "--max-steps ({}) must exceed --warmup ({})", max_steps, warmup);
  AG_CHECK(decay_steps == 0 || decay_steps > warmup, "the cosine's length ({}) must exceed --warmup ({})", decay_steps,
           warmup);
  AG_CHECK(tokenizer != "char" || vocab_size == 0, "--vocab-size ({}) is for SentencePiece tokens (--tokenizer bpe "
           "or unigram); characters are counted from the text", vocab_size);
  AG_CHECK(vocab_size == 0 || vocab_size >= kMinVocabSize, "--vocab-size ({}) must be at least {} (the four special "
           "tokens, the newline, and the text's characters)", vocab_size, kMinVocabSize);
  // The vocabulary is known once the text is read; until then, the size asked for (if any).
  ModelConfig sized = model;
  sized.vocab_size = std::max(model.vocab_size, vocab_size);
  check_fits(sized, batch_size, "--batch-size", /*training=*/true);
}

TrainOptions saved_train_options(const json& saved, const std::string& where) {
  return ag::train::read_saved_settings<TrainOptions>(upgrade(saved), where);
}

TrainOptions resumed_train_options(const TrainOptions& given, const ag::train::FlagGiven& was_given,
                                   const TrainOptions& saved) {
  TrainOptions asked = given;
  if (was_given("--data")) {
    const std::vector<std::string> files = data_files(saved);
    AG_CHECK(std::ranges::equal(given.data, files, same_file),
             "the run in {} trains on {}, but --data now names {}; a resumed run reads the files it started with: "
             "leave --data out, or start a new run", given.resume, json(files).dump(), json(given.data).dump());
    asked.data = saved.data;  // the same files, however spelt
  }
  TrainOptions o = ag::train::resume_settings(asked, was_given, saved, "gpt train",
                                              "only run length, reporting, saving and --threads may change");
  o.out = given.resume;
  o.validate();
  return o;
}

}  // namespace gpt
