// The statistical baseline: additive Holt-Winters (triple exponential smoothing with additive trend
// and additive seasonality, Holt 1957 / Winters 1960; the model of statsmodels'
// ExponentialSmoothing(trend="add", seasonal="add")):
//
//   one step ahead   yhat[t] = l[t-1] + b[t-1] + s[t-m]
//   level            l[t] = alpha (y[t] - s[t-m]) + (1 - alpha) (l[t-1] + b[t-1])
//   trend            b[t] = beta (l[t] - l[t-1]) + (1 - beta) b[t-1]
//   season           s[t] = gamma (y[t] - l[t-1] - b[t-1]) + (1 - gamma) s[t-m]
//   h steps ahead    l[n] + h b[n] + s[n + h - m k], k = the whole seasons that bring it into the last one
//
// Fitting, as statsmodels' default (initialization_method="estimated"): alpha, beta, gamma (with
// 0 <= gamma <= 1 - alpha, statsmodels' bound) and the initial level, trend and m seasons minimise
// the sum of squared one-step errors. For fixed smoothing the errors are linear in the initial
// states, which least squares then solves; Nelder-Mead searches the smoothing from six starts.
// Where that solve is cheap ((m + 2)^2 n up to 4e6: monthly and daily series) it is done inside
// every evaluation (variable projection), which reaches statsmodels' optimum; for a long season
// (sunspots' 132) the search alternates instead, smoothing then states, three times. Starting
// states: the first two seasons (level: the mean of the first; trend: the change between the two
// means, per step; season: the first season minus its mean).
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace forecast {

struct HoltWinters {
  double alpha = 0, beta = 0, gamma = 0;
  double level = 0, trend = 0;  // at the end of the fitted series
  std::vector<double> season;   // the last m seasonal values; season[i] belongs to step n - m + i
  double sse = 0;               // the sum of squared one-step errors of the fit

  // Fits the model to `y` (at least two seasons); throws ag::Error if it is too short.
  static HoltWinters fit(std::span<const double> y, int64_t season_length);
  // The model with the given smoothing run over `y` (at least two seasons) from the initial states
  // that least squares fits to it: fit() without the search over the smoothing.
  static HoltWinters smooth(std::span<const double> y, int64_t season_length, double alpha, double beta, double gamma);
  // The `horizon` values after the fitted series.
  std::vector<double> forecast(int64_t horizon) const;
};

// Parameters of a given model run over `y` from given initial states (what fit() optimises).
struct HoltWintersParameters {
  double alpha, beta, gamma;
  double level0, trend0;
  std::vector<double> season0;  // m values: the seasons of steps 0 .. m-1
};
// Runs the recursions over `y` and returns the end state and its sum of squared one-step errors.
HoltWinters run_holt_winters(std::span<const double> y, const HoltWintersParameters& parameters);

}  // namespace forecast
