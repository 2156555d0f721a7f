// The metrics log: append-only JSON lines, trimmed back to the checkpoint on resume.
#include "ag/train/metrics_log.h"

#include <fstream>

#include "ag/core/error.h"
#include "ag/core/json_number.h"
#include "ag/core/serialize.h"

namespace ag::train {

MetricsLog::MetricsLog(std::string path, std::optional<int64_t> keep_through_step) : path_(std::move(path)) {
  if (!keep_through_step) return;
  std::ifstream in(path_);
  std::string line, kept;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json entry = nlohmann::json::parse(line, nullptr, false);
    const std::optional<int64_t> step =
        entry.is_object() && entry.contains("step") ? json_integer_if(entry["step"], 0) : std::nullopt;
    if (!step) continue;  // a line cut short by a crash, or not one of ours
    if (*step > *keep_through_step) continue;
    kept += line + "\n";
    entries_.push_back(std::move(entry));
  }
  write_file_atomically(path_, kept);
}

void MetricsLog::append(const nlohmann::json& entry) {
  AG_CHECK(entry.is_object() && entry.contains("step") && entry["step"].is_number_integer(),
           "MetricsLog::append: an entry needs an integer \"step\" (resuming finds its place by it); got {}",
           entry.dump());
  std::ofstream out(path_, std::ios::app);
  out << entry.dump() << "\n";
  out.flush();
  AG_CHECK(out.good(), "cannot append to {}; is the disk full?", path_);
  entries_.push_back(entry);
}

}  // namespace ag::train
