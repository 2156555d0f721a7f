// Flags, and the body of `forecast predict` (`forecast train` is train.cpp).
#include "commands.h"

#include "ag/core/error.h"
#include "ag/core/parallel.h"
#include "ag/data/csv.h"
#include "evaluate.h"
#include "weights.h"

namespace forecast {

namespace {

void add_threads(CLI::App& app, int& threads) {
  app.add_option("--threads", threads, "threads (0: AG_NUM_THREADS or every core)")->capture_default_str();
}

}  // namespace

void add_predict_options(CLI::App& app, PredictOptions& o) {
  app.add_option("-m,--model", o.model, "a weights file or a run directory from `forecast train`")->capture_default_str();
  app.add_option("history", o.history, "a CSV file of the recent values (at least --context rows)")->required();
  app.add_option("--column", o.column, "the value column (default: the one the model was trained on)");
  add_threads(app, o.threads);
}

void run_predict(const PredictOptions& o, std::ostream& out) {
  ag::use_threads_flag(o.threads);
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
