// metrics.jsonl: one JSON object per line (a validation, an epoch...), appended and flushed as it
// happens, so a run that is killed keeps every line written before, and any tool that reads JSON
// lines (pandas.read_json(lines=True), jq) can plot it while training goes on.
//
//   ag::train::MetricsLog metrics(run.file("metrics.jsonl"), resumed ? std::optional(step) : std::nullopt);
//   metrics.append({{"step", step}, {"val_loss", val_loss}});
//
// Every entry must hold an integer "step": that is how a resumed run finds its place in the log.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace ag::train {

class MetricsLog {
 public:
  // A fresh run (no `keep_through_step`) starts an empty log; RunDir has checked that no earlier
  // run's log is there. On a resumed run, the entries after `keep_through_step` (written after the
  // checkpoint the run resumes from) are dropped, and so is a last line cut short by a kill, so the
  // log tells the story of the run that continues.
  MetricsLog(std::string path, std::optional<int64_t> keep_through_step);
  // Appends `entry` (an object with "step") as one line; throws ag::Error if the disk refuses it.
  void append(const nlohmann::json& entry);
  // Every entry of this run so far, the kept earlier ones first.
  const std::vector<nlohmann::json>& entries() const { return entries_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::vector<nlohmann::json> entries_;
};

}  // namespace ag::train
