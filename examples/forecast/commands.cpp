// Flags, and the body of `forecast predict` (`forecast train` is train.cpp).
#include "commands.h"

#include "ag/core/error.h"
#include "ag/core/parallel.h"
#include "ag/data/csv.h"
#include "evaluate.h"
#include "weights.h"
#include "examples/common/adamw_flags.h"

namespace forecast {

namespace {

void add_threads(CLI::App& app, int& threads) {
  app.add_option("--threads", threads, "threads (0: AG_NUM_THREADS or every core)")->capture_default_str();
}

}  // namespace

void add_train_options(CLI::App& app, TrainOptions& o) {
  app.add_option("--data", o.data, "a CSV file: a time column, then values (default: a generated monthly series)");
  app.add_option("--column", o.column, "the value column to forecast (default: the last that is not time)");
  app.add_option("--out", o.out, "run directory (checkpoint, model, metrics.jsonl, plots, report)")->capture_default_str();
  app.add_flag("--force", o.force, "start over in a non-empty --out, deleting the files an earlier run wrote");
  app.add_option("--resume", o.resume, "continue the run in this directory with its saved settings");
  app.add_option("--horizon", o.model.horizon, "values to forecast, H (0: one season)")->capture_default_str();
  app.add_option("--season", o.season, "seasonal period of the baselines and MASE (0: from the time column)")
      ->capture_default_str();
  app.add_option("--context", o.model.context, "values the model sees, a multiple of --patch (0: max(3 seasons, 2H))")
      ->capture_default_str();
  app.add_option("--patch", o.model.patch, "values per Transformer token")->capture_default_str();
  app.add_flag("--calendar", o.calendar, "add calendar features (day of week and year, or month) from the time column");
  app.add_option("--level", o.model.level, "shift each window by the mean of its last L values (0: all of them)")
      ->capture_default_str();
  app.add_flag("--hw-residual", o.model.hw.on,
               "forecast what Holt-Winters' forecast (smoothing fitted on the training values) misses");
  app.add_option("--hw-history", o.model.hw.history,
                 "with --hw-residual: the values before each origin Holt-Winters runs over (0: all)")
      ->capture_default_str();
  app.add_option("--valid-origins", o.valid_origins, "validation windows of H before the test, each a forecast origin")
      ->capture_default_str();
  app.add_flag("--refit", o.refit, "after training, retrain on the validation values too for the kept step count");
  app.add_option("--layers", o.model.layers, "Transformer layers")->capture_default_str();
  app.add_option("--heads", o.model.heads, "attention heads")->capture_default_str();
  app.add_option("--width", o.model.width, "token width")->capture_default_str();
  app.add_option("--feedforward", o.model.feedforward, "hidden width of the feed-forward blocks")->capture_default_str();
  app.add_option("--dropout", o.model.dropout, "dropout")->capture_default_str();
  app.add_option("--batch-size", o.batch_size, "windows per step")->capture_default_str();
  examples::add_adamw_flags(app, o);
  app.add_option("--max-steps", o.max_steps, "optimizer steps (the cosine's length)")->capture_default_str();
  app.add_option("--max-time", o.max_time, "stop after this many seconds (0: no limit)")->capture_default_str();
  app.add_option("--eval-every", o.eval_every, "steps between validation forecasts")->capture_default_str();
  app.add_option("--save-every", o.save_every, "steps between checkpoints")->capture_default_str();
  add_threads(app, o.threads);
  app.add_option("--seed", o.seed, "random seed (model, windows, dropout)")->capture_default_str();
}

void add_predict_options(CLI::App& app, PredictOptions& o) {
  app.add_option("-m,--model", o.model, "a weights file or a run directory from `forecast train`")->capture_default_str();
  app.add_option("history", o.history, "a CSV file of the recent values (at least --context rows)")->required();
  app.add_option("--column", o.column, "the value column (default: the one the model was trained on)");
  add_threads(app, o.threads);
}

void run_predict(const PredictOptions& o, std::ostream& out) {
  ag::check_threads_flag(o.threads);
  if (o.threads > 0) ag::set_num_threads(o.threads);
  LoadedModel loaded = load_model(o.model);
  const Series series = series_from_csv(ag::data::read_csv(o.history), o.column.empty() ? loaded.column : o.column);
  const ModelConfig& c = loaded.model->config;
  AG_CHECK(c.calendar == 0 || series.calendar_features() == c.calendar,
           "{}: the model was trained with calendar features, but this file's time column gives {} rather than {}; "
           "use the training file's layout", series.name, series.calendar_features(), c.calendar);
  AG_CHECK(series.size() >= c.context, "{}: {} rows are too few; the model forecasts from the last {} (its --context)",
           series.name, series.size(), c.context);
  const QuantileForecast f = forecast_after(*loaded.model, series, series.size(), loaded.interval_margin());
  out << "time,forecast,lower_80,upper_80\n";
  for (size_t h = 0; h < f.median.size(); ++h)
    out << fmt::format("{},{},{},{}\n", series.label_after(static_cast<int64_t>(h) + 1), f.median[h], f.lower[h],
                       f.upper[h]);
}

}  // namespace forecast
