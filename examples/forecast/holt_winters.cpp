// Additive Holt-Winters: the recursions and the fit by Nelder-Mead (see holt_winters.h).
#include "holt_winters.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

#include "ag/core/error.h"

namespace forecast {

namespace {

// The recursions over y from p's initial states; the one-step errors go to `errors` when given.
HoltWinters run(std::span<const double> y, const HoltWintersParameters& p, std::vector<double>* errors) {
  const size_t m = p.season0.size();
  HoltWinters out;
  out.alpha = p.alpha, out.beta = p.beta, out.gamma = p.gamma;
  std::vector<double> s = p.season0;  // s[t % m] holds s[t - m] until step t replaces it
  double level = p.level0, trend = p.trend0, sse = 0;
  for (size_t t = 0; t < y.size(); ++t) {
    const double seasonal = s[t % m], error = y[t] - (level + trend + seasonal);
    sse += error * error;
    if (errors) errors->push_back(error);
    const double new_level = p.alpha * (y[t] - seasonal) + (1 - p.alpha) * (level + trend);
    s[t % m] = p.gamma * (y[t] - level - trend) + (1 - p.gamma) * seasonal;
    trend = p.beta * (new_level - level) + (1 - p.beta) * trend;
    level = new_level;
  }
  out.level = level, out.trend = trend, out.sse = sse;
  out.season.resize(m);
  for (size_t i = 0; i < m; ++i) out.season[i] = s[(y.size() + i) % m];
  return out;
}

}  // namespace

HoltWinters run_holt_winters(std::span<const double> y, const HoltWintersParameters& p) { return run(y, p, nullptr); }

std::vector<double> HoltWinters::forecast(int64_t horizon) const {
  AG_CHECK(horizon >= 0, "Holt-Winters: the horizon ({}) must not be negative", horizon);
  std::vector<double> out(static_cast<size_t>(horizon));
  for (size_t h = 0; h < out.size(); ++h)
    out[h] = level + static_cast<double>(h + 1) * trend + season[h % season.size()];
  return out;
}

namespace {

// The most (m + 2)^2 n, the work of solving the initial states once, for which the fit profiles
// them out at every evaluation (co2: 7e4, daily births: 6e5, monthly sunspots with a season of 132: 5e7).
constexpr double kProfileBudget = 4e6;

// Nelder-Mead's downhill simplex (Nelder & Mead 1965, with the usual coefficients: reflect 1,
// expand 2, contract 1/2, shrink 1/2) from `start` with initial steps `step`; returns the best point.
std::vector<double> nelder_mead(const std::function<double(const std::vector<double>&)>& f, std::vector<double> start,
                                double step, int max_evaluations) {
  const size_t k = start.size();
  std::vector<std::vector<double>> x(k + 1, start);
  for (size_t i = 0; i < k; ++i) x[i + 1][i] += step;
  std::vector<double> fx(k + 1);
  for (size_t i = 0; i <= k; ++i) fx[i] = f(x[i]);
  int evaluations = static_cast<int>(k + 1);
  auto along = [&](const std::vector<double>& centre, const std::vector<double>& from, double t) {
    std::vector<double> p(k);
    for (size_t j = 0; j < k; ++j) p[j] = centre[j] + t * (from[j] - centre[j]);
    return p;
  };
  while (evaluations < max_evaluations) {
    std::vector<size_t> order(k + 1);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return fx[a] < fx[b]; });
    const size_t best = order.front(), worst = order.back(), second = order[k - 1];
    if (std::abs(fx[worst] - fx[best]) <= 1e-12 * (std::abs(fx[best]) + 1e-300)) break;
    std::vector<double> centre(k, 0.0);
    for (size_t i : order)
      if (i != worst)
        for (size_t j = 0; j < k; ++j) centre[j] += x[i][j] / static_cast<double>(k);
    const std::vector<double> reflected = along(centre, x[worst], -1.0);
    const double f_reflected = f(reflected);
    ++evaluations;
    if (f_reflected < fx[best]) {
      const std::vector<double> expanded = along(centre, x[worst], -2.0);
      const double f_expanded = f(expanded);
      ++evaluations;
      if (f_expanded < f_reflected) x[worst] = expanded, fx[worst] = f_expanded;
      else x[worst] = reflected, fx[worst] = f_reflected;
    } else if (f_reflected < fx[second]) {
      x[worst] = reflected, fx[worst] = f_reflected;
    } else {
      const bool outside = f_reflected < fx[worst];
      const std::vector<double> contracted = along(centre, outside ? reflected : x[worst], 0.5);
      const double f_contracted = f(contracted);
      ++evaluations;
      if (f_contracted < std::min(f_reflected, fx[worst])) {
        x[worst] = contracted, fx[worst] = f_contracted;
      } else {  // shrink everything towards the best point
        for (size_t i = 0; i <= k; ++i) {
          if (i == best) continue;
          x[i] = along(x[best], x[i], 0.5);
          fx[i] = f(x[i]);
        }
        evaluations += static_cast<int>(k);
      }
    }
  }
  return x[static_cast<size_t>(std::min_element(fx.begin(), fx.end()) - fx.begin())];
}

// The initial states (level, trend, m seasons) that minimise the squared one-step errors for p's
// alpha, beta and gamma. For fixed smoothing the recursions are linear in the initial state x, so
// the errors are e(x) = e(0) + R x, R's column k being the errors from unit state k on a series of
// zeros: a least-squares problem, solved by its normal equations. Level and season offsets are
// nearly interchangeable, so a tiny ridge keeps the system solvable.
void fit_initial_states(std::span<const double> y, HoltWintersParameters& p) {
  const size_t m = p.season0.size(), k = m + 2, n = y.size();
  auto with_state = [&](const std::vector<double>& x) {
    HoltWintersParameters q = p;
    q.level0 = x[0], q.trend0 = x[1];
    std::copy(x.begin() + 2, x.end(), q.season0.begin());
    return q;
  };
  std::vector<double> e0;
  run(y, with_state(std::vector<double>(k, 0.0)), &e0);
  const std::vector<double> zeros(n, 0.0);
  std::vector<std::vector<double>> R(k);  // R[j][t]
  for (size_t j = 0; j < k; ++j) {
    std::vector<double> unit(k, 0.0);
    unit[j] = 1;
    run(zeros, with_state(unit), &R[j]);
  }
  // A x = b with A = R^T R + ridge, b = -R^T e0; Gaussian elimination with partial pivoting.
  std::vector<std::vector<double>> A(k, std::vector<double>(k + 1, 0.0));
  double trace = 0;
  for (size_t i = 0; i < k; ++i) {
    for (size_t j = i; j < k; ++j) {
      double dot = 0;
      for (size_t t = 0; t < n; ++t) dot += R[i][t] * R[j][t];
      A[i][j] = A[j][i] = dot;
    }
    for (size_t t = 0; t < n; ++t) A[i][k] -= R[i][t] * e0[t];
    trace += A[i][i];
  }
  for (size_t i = 0; i < k; ++i) A[i][i] += 1e-10 * trace / static_cast<double>(k) + 1e-300;
  for (size_t c = 0; c < k; ++c) {
    size_t pivot = c;
    for (size_t r = c + 1; r < k; ++r)
      if (std::abs(A[r][c]) > std::abs(A[pivot][c])) pivot = r;
    std::swap(A[c], A[pivot]);
    if (A[c][c] == 0) return;  // degenerate (a constant series): keep the starting states
    for (size_t r = 0; r < k; ++r) {
      if (r == c) continue;
      const double f = A[r][c] / A[c][c];
      for (size_t j = c; j <= k; ++j) A[r][j] -= f * A[c][j];
    }
  }
  std::vector<double> x(k);
  for (size_t i = 0; i < k; ++i) x[i] = A[i][k] / A[i][i];
  for (double v : x)
    if (!std::isfinite(v)) return;
  p = with_state(x);
}

// The starting states from the first two seasons (y has at least two): the level, the mean of the
// first; the trend, the change between the two means per step; the season, the first season minus
// its mean. The level and trend start one step before y[0]: the first season's mean sits at its middle.
HoltWintersParameters starting_states(std::span<const double> y, int64_t season_length) {
  AG_CHECK(season_length >= 2, "Holt-Winters: the season ({}) must be at least 2", season_length);
  const auto m = static_cast<size_t>(season_length);
  AG_CHECK(y.size() >= 2 * m, "Holt-Winters: {} values are fewer than the two seasons ({}) it starts from", y.size(),
           2 * m);
  const double first = std::accumulate(y.begin(), y.begin() + static_cast<ptrdiff_t>(m), 0.0) / static_cast<double>(m);
  const double second =
      std::accumulate(y.begin() + static_cast<ptrdiff_t>(m), y.begin() + static_cast<ptrdiff_t>(2 * m), 0.0) /
      static_cast<double>(m);
  HoltWintersParameters p{0.5, 0.1, 0.1, first, (second - first) / static_cast<double>(m), {}};
  for (size_t i = 0; i < m; ++i) p.season0.push_back(y[i] - first);
  p.level0 = first - p.trend0 * (static_cast<double>(m) + 1) / 2;
  return p;
}

}  // namespace

HoltWinters HoltWinters::smooth(std::span<const double> y, int64_t season_length, double alpha, double beta,
                                double gamma) {
  HoltWintersParameters p = starting_states(y, season_length);
  p.alpha = alpha, p.beta = beta, p.gamma = gamma;
  fit_initial_states(y, p);
  return run(y, p, nullptr);
}

HoltWinters HoltWinters::fit(std::span<const double> y, int64_t season_length) {
  HoltWintersParameters best = starting_states(y, season_length);
  const auto m = static_cast<size_t>(season_length);
  // The search runs over u in the unit box (a point outside is clamped onto it, so that the
  // bounds themselves, where co2's optimum lies, are reached exactly): alpha = u0, beta = u1,
  // gamma = (1 - alpha) u2.
  auto with_smoothing = [&](const std::vector<double>& u) {
    HoltWintersParameters p = best;
    const auto unit = [](double v) { return std::clamp(v, 0.0, 1.0); };
    p.alpha = unit(u[0]), p.beta = unit(u[1]), p.gamma = (1 - p.alpha) * unit(u[2]);
    return p;
  };
  // Where it is cheap, every evaluation solves the initial states for its smoothing (variable
  // projection: the error as a function of the smoothing alone), which finds the optimum
  // statsmodels finds. A long season makes that cost (m + 2)^2 n a time, so there the search
  // alternates instead, three times: the smoothing for fixed states, then the states for the
  // smoothing, which only ever lowers the error but can stop short of the optimum.
  const double cost = static_cast<double>(m + 2) * static_cast<double>(m + 2) * static_cast<double>(y.size());
  const bool profile = cost <= kProfileBudget;
  auto sse = [&](const std::vector<double>& u) {
    HoltWintersParameters p = with_smoothing(u);
    if (profile) fit_initial_states(y, p);
    const double value = run(y, p, nullptr).sse;
    return std::isfinite(value) ? value : 1e300;
  };
  for (int round = 0; round < (profile ? 1 : 3); ++round) {
    std::vector<double> best_u;
    double best_sse = 0;
    for (double alpha : {0.1, 0.5, 0.9})
      for (double beta : {0.01, 0.2}) {
        const std::vector<double> u = nelder_mead(sse, {alpha, beta, 0.1}, 0.1, 600);
        const double value = sse(u);
        if (best_u.empty() || value < best_sse) best_u = u, best_sse = value;
      }
    best = with_smoothing(best_u);
    fit_initial_states(y, best);
  }
  return run(y, best, nullptr);
}

}  // namespace forecast
