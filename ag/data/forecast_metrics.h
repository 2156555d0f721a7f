// How good a forecast is: point errors, scaled errors, and the quality of quantile forecasts.
//
//   MAE    mean |y - f|
//   RMSE   sqrt(mean (y - f)^2)
//   sMAPE  mean 200 |y - f| / (|y| + |f|), in percent (0 to 200); a term with y = f = 0 counts 0
//   MASE   MAE / the in-sample MAE of the seasonal naive forecast y[t] = y[t - m] over the history
//          (Hyndman & Koehler 2006): below 1, the forecast beats what copying the last season
//          achieved one step ahead on the history; comparable across series of any scale
//   pinball (quantile) loss of a q-quantile forecast: mean of q (y - f) if y >= f, else (1 - q)(f - y);
//          its minimiser over f is the q-quantile of y, so it is the loss to train quantiles with
//   coverage  the fraction of y inside [lower, upper]: near 0.8 for a good 80% interval
//
// Every function takes the actual values first and throws ag::Error when the lengths differ or a
// series is too short for what is asked.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace ag::data {

double mae(std::span<const double> actual, std::span<const double> forecast);
double rmse(std::span<const double> actual, std::span<const double> forecast);
double smape(std::span<const double> actual, std::span<const double> forecast);
// The MASE denominator: mean |history[t] - history[t - season]| over t = season .. end; the history
// must be longer than one season, and not exactly periodic (the scale would be 0).
double seasonal_naive_mae(std::span<const double> history, int64_t season);
double mase(std::span<const double> actual, std::span<const double> forecast, std::span<const double> history,
            int64_t season);
double pinball_loss(std::span<const double> actual, std::span<const double> quantile_forecast, double q);
double interval_coverage(std::span<const double> actual, std::span<const double> lower,
                         std::span<const double> upper);

// The seasonal naive forecast of the `horizon` values after `history`: each is the value one season
// (or, beyond one season ahead, a whole number of seasons) earlier, the last season repeated.
std::vector<double> seasonal_naive_forecast(std::span<const double> history, int64_t season, int64_t horizon);

// The four point scores of one forecast, as a report shows them side by side.
struct ForecastScores {
  double mae = 0, rmse = 0, smape = 0, mase = 0;
};
ForecastScores score_forecast(std::span<const double> actual, std::span<const double> forecast,
                              std::span<const double> history, int64_t season);

}  // namespace ag::data
