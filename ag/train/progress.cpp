// The progress line and the clock it reads.
#include "ag/train/progress.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

#include "ag/core/error.h"

namespace ag::train {

using Clock = std::chrono::steady_clock;

std::string format_duration(double seconds) {
  const auto s = static_cast<int64_t>(std::llround(std::max(seconds, 0.0)));
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
}

double parse_duration(const std::string& text) {
  double total = 0;
  size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    size_t used = 0;
    double value = 0;
    try {
      value = std::stod(text.substr(i), &used);
    } catch (const std::exception&) {
      used = 0;
    }
    AG_CHECK(used > 0 && value >= 0, "--max-time: cannot read '{}'; write seconds or a duration like 90s, 5m, 1h30m",
             text);
    i += used;
    double unit = 1;
    if (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) {
      const char u = text[i++];
      AG_CHECK(u == 's' || u == 'm' || u == 'h', "--max-time: unknown unit '{}' in '{}'; use s, m or h", u, text);
      unit = u == 'h' ? 3600 : u == 'm' ? 60 : 1;
    }
    total += value * unit;
    any = true;
  }
  AG_CHECK(any, "--max-time: empty duration");
  return total;
}

double mean_of_last(const std::vector<double>& values, size_t count) {
  const size_t recent = std::min(values.size(), count);
  double mean = 0;
  for (size_t i = values.size() - recent; i < values.size(); ++i) mean += values[i] / static_cast<double>(recent);
  return mean;
}

Stopwatch::Stopwatch(double earlier_sessions_s) : earlier_s_(earlier_sessions_s), start_(Clock::now()) {}

double Stopwatch::session_s() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

double Stopwatch::elapsed_s() const { return earlier_s_ + session_s(); }

Progress::Progress(std::ostream& out, bool is_terminal, std::string rate_unit, double plain_interval_s)
    : out_(out), terminal_(is_terminal), rate_unit_(std::move(rate_unit)), interval_s_(is_terminal ? 0.25 : plain_interval_s) {}

void Progress::update(const StepStats& p) {
  const auto now = Clock::now();
  if (!first_ && std::chrono::duration<double>(now - last_).count() < interval_s_) return;
  first_ = false;
  last_ = now;
  std::string line = p.epoch ? fmt::format("epoch {} | ", *p.epoch) : "";
  line += fmt::format("step {} | loss {:.4f} | lr {:.2e} | {:.0f} {} | {}", p.step, p.loss, p.lr, p.rate, rate_unit_,
                      format_duration(p.elapsed_s));
  if (p.eta_s) line += " | ETA " + format_duration(*p.eta_s);
  if (terminal_) {
    out_ << "\r\033[K" << line << std::flush;  // back to the line start, clear it, rewrite
    line_open_ = true;
  } else {
    out_ << line << std::endl;
  }
}

void Progress::break_line() {
  if (line_open_) out_ << "\n";
  line_open_ = false;
}

}  // namespace ag::train
