// Forecasting with a trained model, and the held-out comparison a run ends with: the Transformer
// beside the seasonal naive forecast and Holt-Winters, on the H values after a cut.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ag/data/forecast_metrics.h"
#include "model.h"
#include "series.h"

namespace forecast {

// A forecast of H steps: the median and the 80% interval around it (the 0.1 and 0.9 quantiles).
struct QuantileForecast {
  std::vector<double> lower, median, upper;
  double scale = 1;  // the context's standard deviation, the unit of an interval margin
};

// The model's forecast of the H values after series.values[end - 1], from the C before them, in
// the series' own units. The quantiles come out sorted (lower <= median <= upper) even where the
// three heads cross; the interval is then widened by `margin` context standard deviations on each
// side (narrowed if negative; see interval_margin). Runs in eval mode without a graph; the model's
// mode is restored after.
QuantileForecast forecast_after(ForecasterImpl& model, const Series& series, int64_t end, double margin = 0);

// Every figure of one held-out comparison: the forecasts of the H values series[end, end + H) and
// their scores, MASE scaled on series[0, end).
struct Evaluation {
  int64_t end = 0;
  std::vector<double> actual;
  QuantileForecast model;
  std::vector<double> seasonal_naive, holt_winters;  // holt_winters empty when not computed
  ag::data::ForecastScores model_scores, naive_scores, holt_winters_scores;
  double pinball = 0;   // the model's pinball loss, averaged over the three quantiles
  double coverage = 0;  // the fraction of the actual values inside the 80% interval
};
Evaluation evaluate(ForecasterImpl& model, const Series& series, int64_t end, int64_t season, bool holt_winters,
                    double margin = 0);

// The mean scores of comparisons at several cuts (validation from several origins).
struct MeanScores {
  ag::data::ForecastScores model, naive, holt_winters;
  double pinball = 0, coverage = 0;
};
MeanScores mean_scores(std::span<const Evaluation> evaluations);

// The split-conformal margin of the quantile interval (conformalized quantile regression, Romano et
// al. 2019): each held-out value's score is how far it lies outside [lower, upper] (negative
// inside) in units of its context's standard deviation, and the margin is the ceil(c (n + 1))-th
// smallest of the n scores, c the coverage wanted (the largest if that is past n). Widening every
// interval by it covers a fraction c of exchangeable new values; the quantile heads alone cover
// what the training windows' spread was, which out of sample is too little.
double interval_margin(std::span<const Evaluation> calibration, double coverage);

// The comparison as a table, one line per forecaster (MAE, RMSE, sMAPE, MASE), and the interval's line.
std::string format_evaluation(const Evaluation& e, const std::string& title);
// The comparison as JSON (report.json) and as an SVG chart: the last stretch of history, the
// actual values, the forecast with its interval, and the baselines.
nlohmann::json evaluation_json(const Evaluation& e);
std::string evaluation_svg(const Evaluation& e, const Series& series, const std::string& title);

}  // namespace forecast
