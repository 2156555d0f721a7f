// Forecast accuracy measures (see forecast_metrics.h).
#include "ag/data/forecast_metrics.h"

#include <cmath>

#include "ag/core/error.h"

namespace ag::data {

namespace {

void check_pair(std::span<const double> actual, std::span<const double> forecast, const char* what) {
  AG_CHECK(!actual.empty(), "{}: there are no values to score", what);
  AG_CHECK(actual.size() == forecast.size(), "{}: {} actual values but {} forecasts", what, actual.size(),
           forecast.size());
}

// The mean of f(y, f) over the pairs.
template <typename F>
double mean_over(std::span<const double> actual, std::span<const double> forecast, const char* what, F term) {
  check_pair(actual, forecast, what);
  double sum = 0;
  for (size_t i = 0; i < actual.size(); ++i) sum += term(actual[i], forecast[i]);
  return sum / static_cast<double>(actual.size());
}

}  // namespace

double mae(std::span<const double> actual, std::span<const double> forecast) {
  return mean_over(actual, forecast, "mae", [](double y, double f) { return std::abs(y - f); });
}

double rmse(std::span<const double> actual, std::span<const double> forecast) {
  return std::sqrt(mean_over(actual, forecast, "rmse", [](double y, double f) { return (y - f) * (y - f); }));
}

double smape(std::span<const double> actual, std::span<const double> forecast) {
  return mean_over(actual, forecast, "smape", [](double y, double f) {
    const double denominator = std::abs(y) + std::abs(f);
    return denominator == 0 ? 0.0 : 200 * std::abs(y - f) / denominator;
  });
}

double seasonal_naive_mae(std::span<const double> history, int64_t season) {
  AG_CHECK(season > 0, "seasonal naive: the season ({}) must be positive", season);
  const auto m = static_cast<size_t>(season);
  AG_CHECK(history.size() > m, "seasonal naive: the history ({} values) must be longer than one season ({})",
           history.size(), season);
  return mae(history.subspan(m), history.first(history.size() - m));
}

double mase(std::span<const double> actual, std::span<const double> forecast, std::span<const double> history,
            int64_t season) {
  const double scale = seasonal_naive_mae(history, season);
  AG_CHECK(scale > 0, "mase: the history repeats exactly every {} steps, so the seasonal naive error that scales "
           "MASE is 0", season);
  return mae(actual, forecast) / scale;
}

double pinball_loss(std::span<const double> actual, std::span<const double> quantile_forecast, double q) {
  AG_CHECK(q > 0 && q < 1, "pinball loss: the quantile ({}) must be in (0, 1)", q);
  return mean_over(actual, quantile_forecast, "pinball loss",
                   [q](double y, double f) { return y >= f ? q * (y - f) : (1 - q) * (f - y); });
}

double interval_coverage(std::span<const double> actual, std::span<const double> lower,
                         std::span<const double> upper) {
  check_pair(actual, upper, "coverage");
  return mean_over(actual, lower, "coverage", [&, i = size_t{0}](double y, double low) mutable {
    return low <= y && y <= upper[i++] ? 1.0 : 0.0;
  });
}

std::vector<double> seasonal_naive_forecast(std::span<const double> history, int64_t season, int64_t horizon) {
  AG_CHECK(season > 0 && horizon >= 0, "seasonal naive: the season ({}) must be positive and the horizon ({}) "
           "not negative", season, horizon);
  const auto m = static_cast<size_t>(season);
  AG_CHECK(history.size() >= m, "seasonal naive: the history ({} values) is shorter than one season ({})",
           history.size(), season);
  std::vector<double> out(static_cast<size_t>(horizon));
  const size_t last_season = history.size() - m;
  for (size_t h = 0; h < out.size(); ++h) out[h] = history[last_season + h % m];
  return out;
}

ForecastScores score_forecast(std::span<const double> actual, std::span<const double> forecast,
                              std::span<const double> history, int64_t season) {
  return {mae(actual, forecast), rmse(actual, forecast), smape(actual, forecast),
          mase(actual, forecast, history, season)};
}

}  // namespace ag::data
