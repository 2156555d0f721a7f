// The progress line and the metrics log.
#include "report.h"

#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>

#include "ag/core/error.h"
#include "ag/core/serialize.h"

namespace seq2seq {

std::string format_duration(double seconds) {
  const auto s = static_cast<int64_t>(std::llround(std::max(seconds, 0.0)));
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
}

ProgressLine::ProgressLine(std::ostream& out, bool is_terminal, double plain_interval_s)
    : out_(out), terminal_(is_terminal), interval_s_(is_terminal ? 0.25 : plain_interval_s) {}

void ProgressLine::update(const Progress& p) {
  const auto now = std::chrono::steady_clock::now();
  if (!first_ && std::chrono::duration<double>(now - last_).count() < interval_s_) return;
  first_ = false;
  last_ = now;
  std::string line = fmt::format("epoch {} | step {} | loss {:.4f} | lr {:.2e} | {:.0f} tok/s | {}", p.epoch, p.step,
                                 p.loss, p.lr, p.tokens_per_s, format_duration(p.elapsed_s));
  if (p.eta_s) line += " | ETA " + format_duration(*p.eta_s);
  if (terminal_) {
    out_ << "\r\033[K" << line << std::flush;  // back to the line start, clear it, rewrite
    line_open_ = true;
  } else {
    out_ << line << std::endl;
  }
}

void ProgressLine::break_line() {
  if (line_open_) out_ << "\n";
  line_open_ = false;
}

MetricsLog::MetricsLog(std::string path, std::optional<int64_t> keep_through_step) : path_(std::move(path)) {
  if (!keep_through_step) return;  // a fresh run: the directory was checked to be free
  std::ifstream in(path_);
  std::string line, kept;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json entry = nlohmann::json::parse(line, nullptr, false);
    if (entry.is_discarded() || !entry.contains("step")) continue;  // a line cut short by a crash
    if (entry["step"].get<int64_t>() > *keep_through_step) continue;
    kept += line + "\n";
    entries_.push_back(std::move(entry));
  }
  ag::write_file_atomically(path_, kept);
}

void MetricsLog::append(const nlohmann::json& entry) {
  std::ofstream out(path_, std::ios::app);
  out << entry.dump() << "\n";
  out.flush();
  AG_CHECK(out.good(), "cannot append to {}; is the disk full?", path_);
  entries_.push_back(entry);
}

}  // namespace seq2seq
