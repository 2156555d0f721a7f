// Telling a person what training is doing: a live progress line, and the metrics log.
//
// On a terminal the progress line rewrites itself in place ("\r") a few times a second; when the
// output is a file or a pipe (a log, CI), it prints a plain line every `plain_interval_s` seconds
// instead, so logs stay readable.
#pragma once
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>

namespace seq2seq {

// "42s", "3m07s", "1h02m".
std::string format_duration(double seconds);

struct Progress {
  int64_t epoch = 0;  // 1-based, the epoch being trained
  int64_t step = 0;
  double loss = 0;    // mean over the steps since the last report
  double lr = 0;
  double tokens_per_s = 0;
  double elapsed_s = 0;
  std::optional<double> eta_s;  // until the first limit (steps, time, epochs), when one is known
};

class ProgressLine {
 public:
  ProgressLine(std::ostream& out, bool is_terminal, double plain_interval_s = 15.0);
  // Shows `progress` if enough time passed since the last update.
  void update(const Progress& progress);
  // Ends an in-place line so that other output starts on a fresh line.
  void break_line();

 private:
  std::ostream& out_;
  bool terminal_;
  double interval_s_;
  std::chrono::steady_clock::time_point last_;
  bool first_ = true;
  bool line_open_ = false;
};

// metrics.jsonl: one JSON object per validation, appended and flushed as it happens.
class MetricsLog {
 public:
  // On a resumed run, entries after `keep_through_step` (written after the checkpoint the run
  // resumes from) are dropped, so the log tells the story of the run that continues.
  MetricsLog(std::string path, std::optional<int64_t> keep_through_step);
  void append(const nlohmann::json& entry);
  const std::vector<nlohmann::json>& entries() const { return entries_; }

 private:
  std::string path_;
  std::vector<nlohmann::json> entries_;
};

}  // namespace seq2seq
