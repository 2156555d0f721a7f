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

namespace forecast {

struct TrainOptions {
  std::string data;    // a CSV file; empty: the built-in generated series
  std::string column;  // the value column (empty: the last that is not time)
  std::string out = "runs/forecast";
  bool force = false;  // start over in a non-empty `out`, deleting what an earlier run wrote there
  std::string resume;  // a run directory to continue (its saved settings are used)
  ModelConfig model;
  int64_t season = 0;     // the seasonal period (0: guessed from the time column)
  bool calendar = false;  // calendar features from the time column
  // K: validation forecasts the H values from each of K origins, H apart, before the test (a
  // rolling-origin backtest); the kept weights have the best mean MASE over them.
  int64_t valid_origins = 1;
  // After training, train a fresh model on everything before the test for the kept weights' step
  // count, and forecast the test with it (the settings stay the ones validation chose).
  bool refit = false;
  int64_t batch_size = 64;
  double lr = 1e-3, min_lr = 1e-5;
  double weight_decay = 0.05;
  double clip = 1.0;  // max gradient norm; 0: no clipping
  int64_t warmup = 50;
  int64_t max_steps = 600;
  double max_time = 0;  // seconds; 0: no limit
  int64_t eval_every = 50;
  int64_t save_every = 100;  // steps between checkpoints (also saved at the end and on Ctrl-C)
  int threads = 0;  // 0: AG_NUM_THREADS or every core; a resumed run is bit-exact with the same count
  uint64_t seed = 1;

  // Throw an ag::Error naming the first flag out of its range: validate() every setting (with
  // `settled` false, 0 is also accepted for those chosen from the series: --season, --context,
  // --horizon), validate_session() those a resumed run takes from the command line (--threads,
  // --max-time).
  void validate(bool settled = true) const;
  void validate_session() const;
};
// The settings a checkpoint keeps (not where it is, nor --force, --resume, --threads or --max-time).
void to_json(nlohmann::json& j, const TrainOptions& o);
void from_json(const nlohmann::json& j, TrainOptions& o);

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
TrainResult train(const TrainOptions& options, std::ostream& log, bool log_is_terminal = false);

}  // namespace forecast
