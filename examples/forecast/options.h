// The settings of `forecast train`, declared once (ag/train/settings.h): from TrainOptions::settings
// come the flags and their --help, the JSON a checkpoint keeps, the ranges a flag and a checkpoint
// are both held to, and what `--resume` may change: the series, the model, the validation, the
// optimizer and the batch must stay as the run started; how long it goes on, how often it
// validates and saves, and its threads may change.
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "ag/train/flag_ranges.h"
#include "ag/train/settings.h"
#include "examples/common/adamw_settings.h"
#include "examples/common/step_settings.h"
#include "model.h"

namespace forecast {

inline constexpr int64_t kMaxSeason = int64_t{1} << 20;

struct TrainOptions {
  std::string data;    // a CSV file; empty: the built-in generated series
  std::string column;  // the value column (empty: the last that is not time)
  ModelConfig model;
  int64_t season = 0;     // the seasonal period (0: guessed from the time column)
  bool calendar = false;  // calendar features from the time column
  // K: validation forecasts the H values from each of K origins, H apart, before the test (a
  // rolling-origin backtest); the kept weights have the best mean MASE over them.
  int64_t valid_origins = 1;
  // After training, train a fresh model on everything before the test for the kept weights' step
  // count, along the same schedule, and forecast the test with it (the settings stay the ones
  // validation chose).
  bool refit = false;
  int64_t batch_size = 64;
  double lr = 1e-3, min_lr = 1e-5;
  double weight_decay = 0.05;
  double clip = 1.0;  // max gradient norm; 0: no clipping
  int64_t warmup = 50;
  int64_t max_steps = 600;
  // The cosine's length: the first session's max_steps (0 until train() sets it). A run resumed
  // with more --max-steps keeps the cosine it started with and trains its extra steps at min_lr.
  int64_t decay_steps = 0;
  double max_time = 0;  // seconds of training over all sessions; 0: no limit
  int64_t eval_every = 50;
  int64_t save_every = 100;  // steps between checkpoints (also saved at the end and on Ctrl-C)
  int threads = 0;  // 0: AG_NUM_THREADS or every core; a resumed run is bit-exact with the same count
  uint64_t seed = 1;

  // Not part of the saved run: where it goes and how it starts.
  std::string out = "runs/forecast";
  bool force = false;  // start over in a non-empty `out`, deleting what an earlier run wrote there
  std::string resume;  // a run directory to continue (its saved settings are used)

  // Throws an ag::Error naming the first flag out of its range, or the first that do not fit
  // together. With `settled` false, 0 is also accepted for those chosen from the series (--season,
  // --context, --horizon).
  void validate(bool settled = true) const;

  template <typename Self, typename Setting>
  static void settings(Self& o, Setting&& setting);
};

template <typename Self, typename Setting>
void TrainOptions::settings(Self& o, Setting&& setting) {
  using ag::train::Range;
  constexpr auto kMaxSteps = static_cast<double>(ag::train::kMaxSteps);
  const std::string data = "Data";
  setting(o.data, {.flag = "--data", .key = "/data",
                   .help = "a CSV file: a time column, then values (default: a generated monthly series)",
                   .group = data});
  setting(o.column, {.flag = "--column", .key = "/column",
                     .help = "the value column to forecast (default: the last that is not time)", .group = data});
  setting(o.season, {.flag = "--season", .key = "/season",
                     .help = "seasonal period of the baselines and MASE (0: from the time column)",
                     .range = Range{0, static_cast<double>(kMaxSeason)}, .group = data});
  setting(o.calendar, {.flag = "--calendar", .key = "/calendar",
                       .help = "add calendar features (day of week and year, or month) from the time column",
                       .group = data});
  setting(o.valid_origins, {.flag = "--valid-origins", .key = "/valid_origins",
                            .help = "validation windows of H before the test, each a forecast origin",
                            .range = Range{1, 64}, .group = data});
  setting(o.refit, {.flag = "--refit", .key = "/refit",
                    .help = "after training, retrain on the validation values too for the kept step count",
                    .group = data});
  ag::train::nested_settings(o.model, "/model", setting);

  const std::string optim = "Optimisation";
  setting(o.batch_size, {.flag = "--batch-size", .key = "/batch_size", .help = "windows per step",
                         .range = Range{1, 65536}, .group = optim});
  examples::adamw_settings(o, setting, {.lr = 100, .weight_decay = 100, .clip = 1e9, .warmup = kMaxSteps}, optim);
  setting(o.seed, {.flag = "--seed", .key = "/seed", .help = "random seed (model, windows, dropout)",
                   .range = Range{0, 9e18}, .group = optim});

  examples::step_settings(o, setting, "steps between validation forecasts",
                          "Run length and reporting (may change on --resume)");
}

void add_train_options(CLI::App& app, TrainOptions& options);

// The settings a checkpoint keeps, in the list's layout with the model as a weights file holds it
// (model.h's to_json).
nlohmann::json saved_json(const TrainOptions& o);
// The settings a checkpoint keeps, each held to its range (a message names `where`, the file, and
// the key), from the layout of any forecast train so far. Throws an ag::Error.
TrainOptions saved_train_options(const nlohmann::json& saved, const std::string& where);

}  // namespace forecast
