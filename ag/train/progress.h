// Telling a person what training is doing: the live progress line, and the clock behind it.
//
//   epoch 3 | step 1200 | loss 0.4213 | lr 1.00e-03 | 2431 tok/s | 4m10s | ETA 1m02s
//
// On a terminal the line rewrites itself in place ("\r") a few times a second; when the output is
// a file or a pipe (a log, CI), it prints a plain line every `plain_interval_s` seconds instead, so
// logs stay readable. Call break_line() before printing anything else, so that the other output
// starts on a fresh line.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace ag::train {

// "42s", "3m07s", "1h02m".
std::string format_duration(double seconds);

// --max-time as a person writes it: "90", "90s", "5m", "1h30m", "2h" -> seconds; an ag::Error
// quoting the text otherwise. For a setting's `parse` (settings.h).
double parse_duration(const std::string& text);

// The mean of the last `count` values (all of them when there are fewer); 0 for none. The loss on
// the progress line is this over the per-step losses, which alone are too noisy to read.
double mean_of_last(const std::vector<double>& values, size_t count);

// Training time over every session of a run: a resumed run starts from the time saved in its
// checkpoint, so the elapsed time (and a --max-time limit) counts the whole run.
class Stopwatch {
 public:
  explicit Stopwatch(double earlier_sessions_s = 0);
  double elapsed_s() const;  // all sessions, this one included
  double session_s() const;  // since this one started

 private:
  double earlier_s_;
  std::chrono::steady_clock::time_point start_;
};

// The figures one progress line shows.
struct StepStats {
  std::optional<int64_t> epoch = std::nullopt;  // 1-based, the epoch being trained; none: the line leaves it out
  int64_t step = 0;
  double loss = 0;               // e.g. mean_of_last(losses, 50)
  double lr = 0;
  double rate = 0;               // tokens (or items) per second, in the unit given to Progress
  double elapsed_s = 0;
  std::optional<double> eta_s = std::nullopt;  // until the run ends, when that is known
};

class Progress {
 public:
  // `rate_unit` names what `rate` counts per second: "tok/s", "items/s", "seq/s"...
  Progress(std::ostream& out, bool is_terminal, std::string rate_unit = "tok/s", double plain_interval_s = 15.0);
  // Shows `stats` if enough time passed since the last line (the first call always shows).
  void update(const StepStats& stats);
  // Ends an in-place line so that other output starts on a fresh line.
  void break_line();

 private:
  std::ostream& out_;
  bool terminal_;
  std::string rate_unit_;
  double interval_s_;
  std::chrono::steady_clock::time_point last_;
  bool first_ = true;
  bool line_open_ = false;
};

}  // namespace ag::train
