// ExponentialMovingAverage: shadow weights that follow the trained weights slowly, for evaluation
// and for the final model (Marian's --exponential-smoothing; Polyak & Juditsky, "Acceleration of
// Stochastic Approximation by Averaging", 1992). The average of the last few thousand updates usually
// translates better than the last update alone.
//
//     ExponentialMovingAverage ema(model->parameters(), 0.9999);
//     for (...) { ...; optimizer.step(); ema.update(); }
//     ema.apply_to();   // the parameters now hold the averages: evaluate or save
//     ...
//     ema.restore();    // back to the training weights
//
// After each update, with n earlier updates:
//     shadow = d * shadow + (1 - d) * param,   d = min(decay, (1 + n) / (10 + n))  (with warmup)
// The warmup (Marian's and TensorFlow's ExponentialMovingAverage with num_updates) keeps the early
// average from clinging to the random initial weights.
#pragma once
#include <cstdint>
#include <vector>

#include "ag/optim/state_dict.h"

namespace ag::optim {

class ExponentialMovingAverage {
 public:
  // The shadow weights start as copies of `parameters`. decay in [0, 1]; without warmup, d = decay.
  ExponentialMovingAverage(std::vector<Tensor> parameters, double decay, bool warmup = true);

  void update();
  // Exchanges the parameters' values with the shadow weights (no copy); calling it twice undoes it.
  void swap();
  // swap() with a check that the averages are not already in (apply_to) or are in (restore).
  void apply_to();
  void restore();
  bool applied() const { return applied_; }

  int64_t num_updates() const { return num_updates_; }
  double decay() const { return decay_; }
  // The averages (while applied, these hold the training weights).
  const std::vector<Tensor>& shadow() const { return shadow_; }

  // {"num_updates": int64, "shadow.<i>": the average of parameter i}. Only while not applied.
  StateDict state_dict() const;
  void load_state_dict(const StateDict& state);

 private:
  std::vector<Tensor> parameters_;
  std::vector<Tensor> shadow_;
  double decay_;
  bool warmup_;
  int64_t num_updates_ = 0;
  bool applied_ = false;
};

}  // namespace ag::optim
