// Windows of a series as the model sees them: C values of context and, for training, the H values
// after them, scaled by the context alone.
//
// Normalisation, per window (instance normalisation, as RevIN, Kim et al. 2022, without its learned
// affine): each context is shifted by its own mean and divided by its own standard deviation, and
// the target and the forecast are put through the same map and back. A series whose level drifts
// (co2 climbs 50 ppm over the data) then always looks the same to the model, which learns shapes
// rather than levels, and can forecast a level it never saw in training. A constant context has a
// standard deviation of 0; it is divided by 1 instead.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ag/core/tensor.h"
#include "ag/data/random.h"
#include "series.h"

namespace forecast {

struct WindowScale {
  double mean = 0, std = 1;
  double normalise(double x) const { return (x - mean) / std; }
  double restore(double z) const { return z * std + mean; }
};
WindowScale window_scale(std::span<const double> context);

// Windows whose contexts start at `starts`: the model's inputs and, when they fit in the series,
// the targets.
struct Batch {
  ag::Tensor context;   // (B,W) normalised
  ag::Tensor calendar;  // (B,N,F): the calendar of each patch's last step; undefined when F = 0
  ag::Tensor target;    // (B,H) normalised; undefined unless every window has its H values
  std::vector<WindowScale> scales;
};
Batch make_batch(const Series& series, std::span<const int64_t> starts, int64_t context, int64_t horizon,
                 int64_t patch, bool calendar);

// Random training windows (context and target) that end at or before `end`, drawn from a seeded
// generator whose state a checkpoint keeps.
class WindowSampler {
 public:
  WindowSampler(const Series& series, int64_t end, int64_t batch_size, int64_t context, int64_t horizon, int64_t patch,
                bool calendar, uint64_t seed);
  Batch next();
  int64_t windows() const { return end_ - context_ - horizon_ + 1; }  // how many different ones there are
  std::string state() const;
  void set_state(const std::string& state);

 private:
  const Series& series_;
  int64_t end_, batch_size_, context_, horizon_, patch_;
  bool calendar_;
  ag::data::Rng rng_;
};

}  // namespace forecast
