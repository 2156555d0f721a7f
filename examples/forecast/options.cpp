// `forecast train`'s settings list made into flags, a checkpoint's settings written and read back
// (from any forecast so far), and the checks of the settings as a whole.
#include "options.h"

#include "ag/core/error.h"
#include "ag/train/settings_cli.h"

namespace forecast {

void add_train_options(CLI::App& app, TrainOptions& o) {
  app.add_option("--out", o.out, "run directory (checkpoint, model, metrics.jsonl, plots, report)")->capture_default_str();
  app.add_flag("--force", o.force, "start over in a non-empty --out, deleting the files an earlier run wrote");
  app.add_option("--resume", o.resume, "continue the run in this directory with its saved settings");
  ag::train::add_setting_flags(app, o);
}

void TrainOptions::validate(bool settled) const {
  ag::train::check_settings(ag::train::setting_specs<TrainOptions>(), ag::train::settings_to_json(*this));
  model.validate(settled);
  AG_CHECK(!settled || season > 0, "--season must be at least 1 once the series is read, got 0");
  AG_CHECK(min_lr <= lr, "--min-lr ({}) must not exceed --lr ({})", min_lr, lr);
  AG_CHECK(max_steps > warmup, "--max-steps ({}) must exceed --warmup ({})", max_steps, warmup);
  AG_CHECK(decay_steps == 0 || decay_steps > warmup,  // 0: train() sets it to --max-steps
           "the cosine's length decay_steps ({}) must exceed --warmup ({})", decay_steps, warmup);
}

nlohmann::json saved_json(const TrainOptions& o) {
  nlohmann::json j = ag::train::settings_to_json(o);
  j["model"] = o.model;
  return j;
}

TrainOptions saved_train_options(const nlohmann::json& saved, const std::string& where) {
  // Before the settings list, --threads and --max-time were not kept (a resumed run took them from
  // its command line, 0 unless given) and the cosine's length was the run's --max-steps; before
  // --valid-origins and --refit, a run validated from one origin and did not refit. The model is
  // kept as a weights file keeps it (saved_model_json).
  nlohmann::json settings = saved;
  if (settings.is_object()) {
    if (!settings.contains("threads")) settings["threads"] = 0;
    if (!settings.contains("max_time")) settings["max_time"] = 0;
    if (!settings.contains("decay_steps") && settings.contains("max_steps")) settings["decay_steps"] = settings["max_steps"];
    if (!settings.contains("valid_origins")) settings["valid_origins"] = 1;
    if (!settings.contains("refit")) settings["refit"] = false;
    if (settings.contains("model")) settings["model"] = saved_model_json(settings["model"]);
  }
  return ag::train::read_saved_settings<TrainOptions>(settings, where);
}

}  // namespace forecast
