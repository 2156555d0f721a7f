// `forecast train`: fit the forecaster to one series and compare it, on held-out values, with the
// seasonal naive forecast and Holt-Winters.
//
// The series is cut in three, H = --horizon:
//   training     values [0, N - (K+1)H): every window (context + its H targets) lies inside
//   validation   values [N - (K+1)H, N - H), K = --valid-origins windows of H: each forecast from the C
//                values before it every --eval-every steps (metrics.jsonl); the weights of the best
//                mean validation MASE are the ones kept, with the interval margin their errors
//                calibrate (interval_margin in evaluate.h)
//   test         values [N - H, N): never trained or selected on; forecast once at the end from
//                the C values before it, and scored with the baselines (fitted on [0, N - H))
// Settings are chosen by comparing runs on the validation figures, never on the test.
//
// The recipe: AdamW (weight decay on matrices only), linear warmup then a cosine, gradient norm
// clipped, the pinball loss of the three quantiles. The run directory, checkpoints, progress line,
// metrics.jsonl, Ctrl-C and loss curve are the training kit's (ag/train/); the run directory holds
//   checkpoint.safetensors  everything --resume needs
//   model.safetensors       the best-on-validation weights, for `forecast predict`
//   metrics.jsonl, loss.svg the validation scores and the loss curve
//   report.json, forecast.svg, forecast.csv   the test comparison, drawn and in full
#pragma once
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ag/optim/optimizer.h"
#include "evaluate.h"
#include "model.h"
#include "options.h"

namespace forecast {

// AdamW over two groups: parameters of 2 or more dims decay, biases and norms do not.
std::unique_ptr<ag::optim::Optimizer> make_optimizer(ForecasterImpl& model, const TrainOptions& options);

struct TrainResult {
  int64_t steps = 0;
  bool interrupted = false;          // stopped by Ctrl-C (or InterruptGuard::request()) and saved
  std::vector<double> train_losses;  // every step's, the resumed-from sessions' included
  double best_valid_mase = 0;        // the kept weights' validation MASE
  Evaluation test;                   // the held-out comparison (not when interrupted)
  std::string report;                // that comparison as text
  double seconds = 0;                // training time over all sessions
};

// Trains from scratch into options.out, or continues options.resume. Progress goes to `log`.
// `was_given` says which flags the user typed, for --resume (ag::train::merge_resumed_settings);
// none: those not at their defaults (a test's or a library caller's options).
TrainResult train(const TrainOptions& options, std::ostream& log, bool log_is_terminal = false,
                  const ag::train::FlagGiven& was_given = {});

}  // namespace forecast
