// Forecasts from a trained model and the held-out comparison with the baselines (see evaluate.h).
#include "evaluate.h"

#include <algorithm>
#include <cmath>

#include "ag/core/autograd/grad_mode.h"
#include "ag/core/error.h"
#include "ag/train/plot.h"
#include "holt_winters.h"
#include "windows.h"

namespace forecast {

QuantileForecast forecast_after(ForecasterImpl& model, const Series& series, int64_t end, double margin) {
  const ModelConfig& c = model.config;
  AG_CHECK(end >= c.context && end <= series.size(), "{}: the model needs the {} values before the forecast (its "
           "--context), but there are {}", series.name, c.context, std::min(end, series.size()));
  const bool was_training = model.is_training();
  model.eval();
  ag::NoGradGuard no_grad;
  const int64_t start = end - c.context;
  const Batch batch = make_batch(series, std::span(&start, 1), c);
  const std::vector<float> out = model.forward(batch.context, batch.calendar).to_vector<float>();  // (1,H,3)
  if (was_training) model.train();
  QuantileForecast f;
  f.scale = batch.scales[0].std;
  for (size_t h = 0; h < static_cast<size_t>(c.horizon); ++h) {
    std::array<double, 3> q{};
    for (size_t i = 0; i < 3; ++i) q[i] = batch.bases[0][h] + out[h * 3 + i] * batch.scales[0].std;
    std::sort(q.begin(), q.end());
    // A negative margin narrows the interval at most to the median.
    f.lower.push_back(std::min(q[0] - margin * f.scale, q[1]));
    f.median.push_back(q[1]);
    f.upper.push_back(std::max(q[2] + margin * f.scale, q[1]));
  }
  return f;
}

Evaluation evaluate(ForecasterImpl& model, const Series& series, int64_t end, int64_t season, bool holt_winters,
                    double margin) {
  const int64_t H = model.config.horizon;
  AG_CHECK(end + H <= series.size(), "{}: no {} values after position {} to compare with", series.name, H, end);
  const std::span<const double> values(series.values);
  const auto history = values.first(static_cast<size_t>(end));
  Evaluation e;
  e.end = end;
  e.actual.assign(values.begin() + end, values.begin() + end + H);
  e.model = forecast_after(model, series, end, margin);
  e.seasonal_naive = ag::data::seasonal_naive_forecast(history, season, H);
  e.model_scores = ag::data::score_forecast(e.actual, e.model.median, history, season);
  e.naive_scores = ag::data::score_forecast(e.actual, e.seasonal_naive, history, season);
  if (holt_winters) {
    e.holt_winters = HoltWinters::fit(history, season).forecast(H);
    e.holt_winters_scores = ag::data::score_forecast(e.actual, e.holt_winters, history, season);
  }
  for (size_t i = 0; i < kQuantiles.size(); ++i) {
    const std::vector<double>& q = i == 0 ? e.model.lower : i == 1 ? e.model.median : e.model.upper;
    e.pinball += ag::data::pinball_loss(e.actual, q, kQuantiles[i]) / static_cast<double>(kQuantiles.size());
  }
  e.coverage = ag::data::interval_coverage(e.actual, e.model.lower, e.model.upper);
  return e;
}

MeanScores mean_scores(std::span<const Evaluation> evaluations) {
  MeanScores m;
  const auto n = static_cast<double>(evaluations.size());
  auto add = [n](ag::data::ForecastScores& sum, const ag::data::ForecastScores& s) {
    sum.mae += s.mae / n, sum.rmse += s.rmse / n, sum.smape += s.smape / n, sum.mase += s.mase / n;
  };
  for (const Evaluation& e : evaluations) {
    add(m.model, e.model_scores), add(m.naive, e.naive_scores), add(m.holt_winters, e.holt_winters_scores);
    m.pinball += e.pinball / n, m.coverage += e.coverage / n;
  }
  return m;
}

double interval_margin(std::span<const Evaluation> calibration, double coverage) {
  std::vector<double> scores;
  for (const Evaluation& e : calibration)
    for (size_t h = 0; h < e.actual.size(); ++h)
      scores.push_back(std::max(e.model.lower[h] - e.actual[h], e.actual[h] - e.model.upper[h]) / e.model.scale);
  AG_CHECK(!scores.empty(), "interval margin: no held-out values to calibrate on");
  std::sort(scores.begin(), scores.end());
  const auto rank = static_cast<size_t>(std::ceil(coverage * static_cast<double>(scores.size() + 1)));
  return scores[std::min(std::max<size_t>(rank, 1), scores.size()) - 1];
}

std::string format_evaluation(const Evaluation& e, const std::string& title) {
  std::string out = fmt::format("{}\n  {:<16} {:>10} {:>10} {:>8} {:>7}\n", title, "forecast", "MAE", "RMSE", "sMAPE%",
                                "MASE");
  auto line = [&](const char* name, const ag::data::ForecastScores& s) {
    out += fmt::format("  {:<16} {:>10.4g} {:>10.4g} {:>8.2f} {:>7.3f}\n", name, s.mae, s.rmse, s.smape, s.mase);
  };
  line("transformer", e.model_scores);
  line("seasonal naive", e.naive_scores);
  if (!e.holt_winters.empty()) line("Holt-Winters", e.holt_winters_scores);
  out += fmt::format("  80% interval: coverage {:.3f} ({} of {} actual values inside), pinball loss {:.4g}\n",
                     e.coverage, static_cast<int64_t>(std::llround(e.coverage * static_cast<double>(e.actual.size()))),
                     e.actual.size(), e.pinball);
  return out;
}

nlohmann::json evaluation_json(const Evaluation& e) {
  auto scores = [](const ag::data::ForecastScores& s) {
    return nlohmann::json{{"mae", s.mae}, {"rmse", s.rmse}, {"smape", s.smape}, {"mase", s.mase}};
  };
  nlohmann::json out{{"transformer", scores(e.model_scores)}, {"seasonal_naive", scores(e.naive_scores)},
                     {"coverage_80", e.coverage}, {"pinball", e.pinball}, {"points", e.actual.size()}};
  if (!e.holt_winters.empty()) out["holt_winters"] = scores(e.holt_winters_scores);
  return out;
}

namespace {

// Where step t goes on the chart's x axis: its decimal year (dates: 1970 + days / 365.2425), or t.
double chart_x(const Series& s, int64_t t) {
  const auto i = static_cast<size_t>(t);
  if (s.time_kind == TimeKind::kDecimalYear && i < s.times.size()) return s.times[i];
  if (s.time_kind == TimeKind::kDate && i < s.times.size()) return 1970 + s.times[i] / 365.2425;
  return static_cast<double>(t);
}

ag::train::Curve curve(const std::string& label, const Series& s, int64_t first, std::span<const double> values) {
  ag::train::Curve c{label, {}, false};
  for (size_t i = 0; i < values.size(); ++i)
    c.points.push_back({chart_x(s, first + static_cast<int64_t>(i)), values[i]});
  return c;
}

}  // namespace

std::string evaluation_svg(const Evaluation& e, const Series& series, const std::string& title) {
  const auto H = static_cast<int64_t>(e.actual.size());
  const int64_t first = std::max<int64_t>(0, e.end - 3 * H);  // three horizons of history before the cut
  const std::span<const double> values(series.values);
  std::vector<ag::train::Curve> curves{
      curve("history", series, first, values.subspan(static_cast<size_t>(first), static_cast<size_t>(e.end - first))),
      curve("actual", series, e.end, e.actual), curve("transformer (median)", series, e.end, e.model.median),
      curve("seasonal naive", series, e.end, e.seasonal_naive)};
  if (!e.holt_winters.empty()) curves.push_back(curve("Holt-Winters", series, e.end, e.holt_winters));
  ag::train::Band interval{"80% interval", {}, e.model.lower, e.model.upper};
  for (int64_t h = 0; h < H; ++h) interval.x.push_back(chart_x(series, e.end + h));
  const std::string x_label = series.time_kind == TimeKind::kLabel ? "step" : "year";
  return ag::train::plot_series(curves, {interval}, title, x_label);
}

}  // namespace forecast
