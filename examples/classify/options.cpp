// `classify train`'s settings list made into flags, a checkpoint's settings read back (from any
// classify so far), and the checks of the settings as a whole.
#include "options.h"

#include "ag/core/error.h"
#include "ag/train/settings_cli.h"

namespace classify {

void add_train_options(CLI::App& app, TrainOptions& o) {
  app.add_option("--out", o.out, "run directory")->capture_default_str();
  app.add_flag("--force", o.force, "start over in a non-empty --out, deleting the files an earlier run wrote");
  app.add_option("--resume", o.resume, "continue the run in this directory with its saved settings");
  ag::train::add_setting_flags(app, o);
  app.get_option("--mail-headers")->delimiter(',');  // --mail-headers From,X-Mailer
}

void TrainOptions::validate() const {
  ag::train::check_settings(ag::train::setting_specs<TrainOptions>(), ag::train::settings_to_json(*this));
  model.validate();
  AG_CHECK(min_lr <= lr, "--min-lr ({}) must not exceed --lr ({})", min_lr, lr);
}

TrainOptions saved_train_options(const nlohmann::json& saved, const std::string& where) {
  // Before the settings list, --threads and --max-time were not kept (a resumed run took them from
  // its command line, 0 unless given) and the cosine's length was the run's --epochs.
  nlohmann::json settings = saved;
  if (settings.is_object()) {
    if (!settings.contains("threads")) settings["threads"] = 0;
    if (!settings.contains("max_time")) settings["max_time"] = 0;
    if (!settings.contains("decay_epochs") && settings.contains("epochs")) settings["decay_epochs"] = settings["epochs"];
  }
  return ag::train::read_saved_settings<TrainOptions>(settings, where);
}

}  // namespace classify
