// Windows of a series as the model sees them: C values of context and, for training, the H values
// after them, scaled by the context alone.
//
// Normalisation, per window (instance normalisation, as RevIN, Kim et al. 2022, without its learned
// affine): each context is shifted by its own level and divided by its own standard deviation, and
// the target and the forecast are put through the same map and back. A series whose level drifts
// (co2 climbs 50 ppm over the data) then always looks the same to the model, which learns shapes
// rather than levels, and can forecast a level it never saw in training. A constant context has a
// standard deviation of 0; it is divided by 1 instead.
//
// The level is the mean of the whole context (--level 0), or of its last L values (--level L, say
// one season). The first puts the origin of the model's output in the middle of the context, so a
// forecast must add the growth of half a context to reach the present, and carries on whatever
// slope the context had; the second anchors the origin at the latest season, as Holt-Winters'
// level follows the latest values, so a model that outputs the seasonal shape alone already
// forecasts "as last season", and any trend it adds starts from where the series is now.
//
// The targets are measured from a base forecast: the context's level at every step, or, with
// --hw-residual, Holt-Winters' forecast from the values before the origin (see HoltWintersBase in
// model.h). target = (actual - base) / std, and a forecast is base + output * std.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "ag/core/tensor.h"
#include "ag/data/random.h"
#include "model.h"
#include "series.h"

namespace forecast {

struct WindowScale {
  double mean = 0, std = 1;
  double normalise(double x) const { return (x - mean) / std; }
};
// The scale of one context: the mean of its last `level` values (0: all), its standard deviation.
WindowScale window_scale(std::span<const double> context, int64_t level = 0);

// The base of the H values after series[origin - 1]: the scale's level at every step, or with
// --hw-residual Holt-Winters' forecast from the values before the origin.
std::vector<double> base_forecast(std::span<const double> values, int64_t origin, const ModelConfig& model,
                                  const WindowScale& scale);
// Holt-Winters bases by forecast origin: each costs a least-squares solve over the history, and
// training draws the same windows again and again.
using BaseCache = std::unordered_map<int64_t, std::vector<double>>;

// Windows whose contexts start at `starts`: the model's inputs and, when they fit in the series,
// the targets.
struct Batch {
  ag::Tensor context;   // (B,W) normalised
  ag::Tensor calendar;  // (B,N,F): the calendar of each patch's last step; undefined when F = 0
  ag::Tensor target;    // (B,H) (actual - base) / std; undefined unless every window has its H values
  std::vector<WindowScale> scales;
  std::vector<std::vector<double>> bases;  // B x H, in the series' units
};
// The window sizes and normalisation are the model's (context C, horizon H, patch P, calendar,
// level, Holt-Winters base); Holt-Winters bases are kept in and taken from `cache` when given.
Batch make_batch(const Series& series, std::span<const int64_t> starts, const ModelConfig& model,
                 BaseCache* cache = nullptr);

// Random training windows (context and target) that end at or before `end`, drawn from a seeded
// generator whose state a checkpoint keeps.
class WindowSampler {
 public:
  WindowSampler(const Series& series, int64_t end, int64_t batch_size, const ModelConfig& model, uint64_t seed);
  Batch next();
  int64_t windows() const { return end_ - model_.context - model_.horizon + 1; }  // how many different ones there are
  std::string state() const;
  void set_state(const std::string& state);

 private:
  const Series& series_;
  int64_t end_, batch_size_;
  ModelConfig model_;
  ag::data::Rng rng_;
  BaseCache bases_;
};

}  // namespace forecast
