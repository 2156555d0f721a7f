// The forecaster learns a pure sine; its pinball loss matches the metric and has the right gradient;
// Holt-Winters recovers a series whose answer is known.
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>

#include "ag/core/factory.h"
#include "ag/core/generator.h"
#include "ag/core/gradcheck.h"
#include "ag/core/parallel.h"
#include "ag/data/forecast_metrics.h"
#include "evaluate.h"
#include "holt_winters.h"
#include "model.h"
#include "train.h"
#include "windows.h"

using namespace forecast;

namespace {

Series sine(int64_t n, int64_t period) {
  Series s;
  s.name = "sine";
  for (int64_t t = 0; t < n; ++t)
    s.values.push_back(3 + 2 * std::sin(2 * std::numbers::pi * static_cast<double>(t) / static_cast<double>(period)));
  return s;
}

// A noisy monthly series: trend, a season of 12, a random walk and white noise, both from a linear
// congruential generator (so the series needs no file, and Python made the same one).
std::vector<double> noisy_monthly(int64_t n, uint64_t seed) {
  uint64_t x = seed;
  auto uniform = [&x] {
    x = (1103515245 * x + 12345) % (uint64_t{1} << 31);
    return static_cast<double>(x) / static_cast<double>(uint64_t{1} << 31) - 0.5;
  };
  std::vector<double> y;
  double walk = 0;
  for (int64_t t = 0; t < n; ++t) {
    walk += 0.3 * uniform();
    const auto time = static_cast<double>(t);
    y.push_back(20 + 0.1 * time + 3 * std::sin(2 * std::numbers::pi * time / 12) + walk + uniform());
  }
  return y;
}

}  // namespace

TEST_CASE("forecaster: a tiny model learns a pure sine near-exactly") {
  ag::set_num_threads(1);
  ag::manual_seed(5);
  const Series s = sine(200, 16);
  ModelConfig c;
  c.context = 32, c.horizon = 8, c.patch = 4, c.layers = 1, c.heads = 2, c.width = 16, c.feedforward = 32;
  c.dropout = 0.0;
  Forecaster model(c);
  TrainOptions o;
  o.lr = 3e-3, o.weight_decay = 0.0;
  auto optimizer = make_optimizer(*model, o);
  WindowSampler sampler(s, 160, 32, c, 1);
  const double before = ag::data::mae(std::span(s.values).subspan(170, 8), forecast_after(*model, s, 170).median);
  for (int step = 0; step < 300; ++step) {
    const Batch b = sampler.next();
    optimizer->zero_grad();
    pinball_loss(model->forward(b.context), b.target).backward();
    optimizer->step();
  }
  // Windows after the training ones: the median is within 2% of the amplitude, the interval narrow
  // (under a quarter of the sine's range of 2; 300 steps leave it at about 0.3, a little more or less
  // with the compiler's rounding, so the bound is not drawn at that edge).
  const QuantileForecast f = forecast_after(*model, s, 170);
  const double after = ag::data::mae(std::span(s.values).subspan(170, 8), f.median);
  CHECK(before > 0.5);
  CHECK(after < 0.04);
  for (size_t h = 0; h < 8; ++h) CHECK(f.upper[h] - f.lower[h] < 0.5);
}

TEST_CASE("forecaster: the pinball loss is the metric's, and its gradient checks out") {
  // (B,H,3) = (1,2,3) forecasts against targets (1,2).
  const std::vector<double> target = {1.0, -2.0}, forecast = {0.5, 1.2, 2.0, -3.0, -2.5, -1.0};  // no error exactly 0 (the kink)
  double expected = 0;
  for (size_t h = 0; h < 2; ++h)
    for (size_t q = 0; q < 3; ++q)
      expected += ag::data::pinball_loss(std::vector{target[h]}, std::vector{forecast[h * 3 + q]}, kQuantiles[q]) / 6;
  const ag::Tensor f = ag::from_vector(forecast, {1, 2, 3}), y = ag::from_vector(target, {1, 2});
  CHECK(pinball_loss(f, y).item() == Approx(expected));
  const ag::Tensor x = ag::from_vector(forecast, {1, 2, 3}, ag::TensorOptions(ag::kFloat64).requires_grad());
  const auto result = ag::gradcheck([&](const std::vector<ag::Tensor>& in) { return pinball_loss(in[0], y); }, {x});
  CHECK(result.ok);
  CHECK_THROWS_WITH(pinball_loss(f, ag::from_vector(target, {2, 1})), Catch::Contains("do not fit"));
}

TEST_CASE("windows: each context is scaled by its own mean and spread, the target too") {
  Series s;
  s.values = {1, 3, 1, 3, 5, 5, 5, 5};
  const int64_t starts[] = {0, 4};
  ModelConfig c;
  c.context = 4, c.horizon = 2, c.patch = 2;
  const Batch b = make_batch(s, starts, c);
  CHECK(b.scales[0].mean == 2);
  CHECK(b.scales[0].std == 1);
  CHECK(b.scales[1].std == 1);  // a constant context is divided by 1, not 0
  CHECK(b.context.to_vector<float>() == std::vector<float>{-1, 1, -1, 1, 0, 0, 0, 0});
  CHECK_FALSE(b.target.defined());  // the second window has none of its 2 targets
  const int64_t first[] = {0};
  CHECK(make_batch(s, first, c).target.to_vector<float>() == std::vector<float>{3, 3});
  CHECK(b.bases[0] == std::vector<double>{2, 2});  // a forecast is the base plus the output times the spread
  CHECK(b.bases[1] == std::vector<double>{5, 5});
}

TEST_CASE("windows: --level shifts each window by the mean of its last L values, the spread unchanged") {
  Series s;
  s.values = {1, 3, 1, 3, 5, 5, 5, 5};
  ModelConfig c;
  c.context = 4, c.horizon = 2, c.patch = 2, c.level = 1;
  const int64_t first[] = {0};
  const Batch b = make_batch(s, first, c);
  CHECK(b.scales[0].mean == 3);  // the last value, not the window's mean of 2
  CHECK(b.scales[0].std == 1);
  CHECK(b.context.to_vector<float>() == std::vector<float>{-2, 0, -2, 0});
  CHECK(b.target.to_vector<float>() == std::vector<float>{2, 2});
  CHECK(window_scale(std::vector<double>{1, 3, 5, 7}, 2).mean == 6);
  CHECK(window_scale(std::vector<double>{1, 3, 5, 7}, 4).mean == 4);  // L = C: the whole window
}

TEST_CASE("Holt-Winters underneath (--hw-residual): a model that outputs 0 forecasts exactly as Holt-Winters over the history") {
  Series s;
  s.name = "noisy";
  s.values = noisy_monthly(60, 1);
  ModelConfig c;
  c.context = 24, c.horizon = 6, c.patch = 4, c.layers = 1, c.heads = 2, c.width = 8, c.feedforward = 16;
  c.hw = {.on = true, .history = 0, .season = 12, .alpha = 0.3, .beta = 0.1, .gamma = 0.2};
  Forecaster model(c);
  {
    ag::NoGradGuard no_grad;
    model->head->weight.zero_(), model->head->bias.zero_();
  }
  const std::span<const double> values(s.values);
  const std::vector<double> all = HoltWinters::smooth(values.first(50), 12, 0.3, 0.1, 0.2).forecast(6);
  const QuantileForecast f = forecast_after(*model, s, 50);
  CHECK(f.median == all);
  CHECK(f.lower == all);
  CHECK(f.upper == all);
  // The targets are what is left of the actual values, in the context's spreads.
  const int64_t start[] = {26};
  const Batch b = make_batch(s, start, c);
  CHECK(b.bases[0] == all);
  const std::vector<float> target = b.target.to_vector<float>();
  for (size_t h = 0; h < 6; ++h) CHECK(target[h] == Approx((s.values[50 + h] - all[h]) / b.scales[0].std));
  // --hw-history 36: it runs over the last 36 values only, which is another forecast.
  model->config.hw.history = 36;
  const std::vector<double> last = HoltWinters::smooth(values.subspan(14, 36), 12, 0.3, 0.1, 0.2).forecast(6);
  CHECK(forecast_after(*model, s, 50).median == last);
  CHECK(last != all);
  // From a cache, the same; the cache keeps it by origin.
  BaseCache cache;
  CHECK(make_batch(s, start, model->config, &cache).bases[0] == last);
  CHECK(cache.at(50) == last);
  CHECK(make_batch(s, start, model->config, &cache).bases[0] == last);
}

TEST_CASE("interval margin: the split-conformal quantile of how far values fall outside, in context spreads") {
  Evaluation e;
  e.actual = {0, 0, 0, 0};
  e.model.lower = {-1, 1, -3, 0.5}, e.model.upper = {1, 2, -2, 3}, e.model.median = {0, 1.5, -2.5, 1};
  e.model.scale = 2;
  // Scores max(lower - y, y - upper) / 2: -0.5 (inside), 0.5, 1, 0.25; sorted -0.5, 0.25, 0.5, 1.
  const std::vector<Evaluation> calibration{e};
  CHECK(interval_margin(calibration, 0.8) == 1.0);  // the ceil(0.8 x 5) = 4th
  CHECK(interval_margin(calibration, 0.5) == 0.5);  // the 3rd
  CHECK(interval_margin(calibration, 0.1) == -0.5);
  CHECK(interval_margin(calibration, 0.99) == 1.0);  // past n: the largest
  CHECK_THROWS_WITH(interval_margin(std::vector<Evaluation>{}, 0.8), Catch::Contains("no held-out values"));
}

TEST_CASE("forecast_after: a margin widens the interval by that many context spreads, a negative one narrows it") {
  ag::manual_seed(3);
  const Series s = sine(64, 16);
  ModelConfig c;
  c.context = 32, c.horizon = 8, c.patch = 4, c.layers = 1, c.heads = 2, c.width = 8, c.feedforward = 16;
  Forecaster model(c);
  const QuantileForecast raw = forecast_after(*model, s, 40), wide = forecast_after(*model, s, 40, 0.5);
  const QuantileForecast narrow = forecast_after(*model, s, 40, -100);
  CHECK(raw.scale == Approx(std::sqrt(2.0)));  // a sine of amplitude 2 over whole periods
  for (size_t h = 0; h < 8; ++h) {
    CHECK(wide.median[h] == raw.median[h]);
    CHECK(wide.lower[h] == Approx(raw.lower[h] - 0.5 * raw.scale));
    CHECK(wide.upper[h] == Approx(raw.upper[h] + 0.5 * raw.scale));
    CHECK(narrow.lower[h] == narrow.median[h]);
    CHECK(narrow.upper[h] == narrow.median[h]);
  }
}

TEST_CASE("Holt-Winters: the recursions by hand, and a trend plus season it recovers") {
  // alpha = 0.5, beta = 0.5, gamma = 0.5, l0 = 10, b0 = 1, seasons {1, -1}; y = {12, 10}.
  // t=0: yhat = 10 + 1 + 1 = 12, l = .5(12 - 1) + .5(11) = 11, s0 = .5(12 - 11) + .5(1) = 1, b = .5(1) + .5 = 1
  // t=1: yhat = 11 + 1 - 1 = 11 (error -1), l = .5(10 + 1) + .5(12) = 11.5, s1 = .5(10 - 12) - .5 = -1.5,
  //      b = .5(0.5) + .5 = 0.75
  const std::vector<double> y = {12, 10};
  const HoltWinters run = run_holt_winters(y, {0.5, 0.5, 0.5, 10, 1, {1, -1}});
  CHECK(run.sse == Approx(1.0));
  CHECK(run.level == Approx(11.5));
  CHECK(run.trend == Approx(0.75));
  CHECK(run.season == std::vector<double>{1, -1.5});
  CHECK(run.forecast(3) == std::vector<double>{11.5 + 0.75 + 1, 11.5 + 1.5 - 1.5, 11.5 + 2.25 + 1});

  // An exact line plus a season of 4: the fit forecasts the next 8 values almost exactly.
  std::vector<double> series;
  const double season[] = {3, -1, -4, 2};
  for (int t = 0; t < 48; ++t) series.push_back(20 + 0.5 * t + season[t % 4]);
  const HoltWinters fitted = HoltWinters::fit(std::span(series).first(40), 4);
  const std::vector<double> f = fitted.forecast(8);
  for (size_t h = 0; h < 8; ++h) CHECK(f[h] == Approx(series[40 + h]).margin(0.05));
  CHECK_THROWS_WITH(HoltWinters::fit(std::span(series).first(7), 4), Catch::Contains("fewer than the two seasons"));
}

TEST_CASE("Holt-Winters: the fit reaches the optimum statsmodels finds") {
  // The figures: ExponentialSmoothing(y, trend="add", seasonal="add", seasonal_periods=12).fit()
  // (statsmodels 0.13.5) on these 84 values, run once. Seed 1: SSE 7.215205, alpha 0.340875 and
  // beta, gamma 0 (1e-14); seed 2: SSE 6.222082, alpha, beta and gamma 0 (1e-8). Alternating the
  // smoothing and the initial states stopped at 7.292 (alpha 0.348, beta 0.017) and 7.258.
  const HoltWinters first = HoltWinters::fit(noisy_monthly(84, 1), 12);
  CHECK(first.sse == Approx(7.215205).epsilon(1e-6));
  CHECK(first.alpha == Approx(0.340875).margin(1e-4));
  CHECK(first.beta == Approx(0).margin(1e-6));
  CHECK(first.gamma == Approx(0).margin(1e-6));
  const HoltWinters second = HoltWinters::fit(noisy_monthly(84, 2), 12);
  CHECK(second.sse == Approx(6.222082).epsilon(1e-6));
  CHECK(second.alpha == Approx(0).margin(1e-6));
}
