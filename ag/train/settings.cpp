// The parts of settings.h that do not depend on the options struct: ranges and the --resume rule.
#include "ag/train/settings.h"

#include <algorithm>
#include <cmath>

#include "ag/core/error.h"
#include "ag/core/json_number.h"
#include "ag/core/parallel.h"
#include "ag/train/progress.h"

namespace ag::train {

const SettingSpec& find_setting(const std::vector<SettingSpec>& specs, const std::string& flag) {
  for (const SettingSpec& spec : specs)
    if (spec.flag == flag) return spec;
  throw Error(fmt::format("there is no setting with the flag {}", flag));
}

SettingSpec max_time_setting(std::string key, std::string group) {
  return {.flag = "--max-time", .key = std::move(key),
          .help = "stop once the run has trained this long, over all its sessions: 90, 90s, 5m, 1h30m (0: no limit)",
          .range = Range{0, 1e9}, .parse = parse_duration, .on_resume = OnResume::kMayChange, .group = std::move(group)};
}

SettingSpec threads_setting(std::string key, std::string group) {
  return {.flag = "--threads", .key = std::move(key), .help = "threads (0: AG_NUM_THREADS or every core)",
          .range = Range{0, kMaxThreads}, .on_resume = OnResume::kMayChange, .group = std::move(group)};
}

namespace {

// How a message names a setting: its flag, or in a file the file, the key and the flag.
std::string setting_name(const SettingSpec& spec, const std::string& where) {
  if (where.empty()) return spec.flag.empty() ? spec.key : spec.flag;
  std::string key = spec.key.substr(1);  // "/model/d_model" -> "model d_model"
  std::ranges::replace(key, '/', ' ');
  return spec.flag.empty() ? fmt::format("{} {}", where, key) : fmt::format("{} {} ({})", where, key, spec.flag);
}

// A value as a message shows it: as JSON, but JSON has no infinity or NaN and nlohmann's dump writes
// them as null, so "--lr inf" would be reported as "got null"; those are written as fmt writes them.
std::string shown(const nlohmann::json& value) {
  const bool finite = !value.is_number_float() || std::isfinite(value.get<double>());
  return finite ? value.dump() : fmt::format("{}", value.get<double>());
}

// "a, b or c"
std::string either(const std::vector<std::string>& choices) {
  std::string text;
  for (size_t i = 0; i < choices.size(); ++i)
    text += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
  return text;
}

}  // namespace

void check_settings(const std::vector<SettingSpec>& specs, const nlohmann::json& values, const std::string& where) {
  for (const SettingSpec& spec : specs) {
    const nlohmann::json::json_pointer at(spec.key);
    if (!values.contains(at)) continue;
    const std::string name = setting_name(spec, where);
    const nlohmann::json& value = values[at];
    if (!spec.choices.empty() && value != "") {  // empty: not chosen, the program fills it in
      const bool known = value.is_string() && std::ranges::find(spec.choices, value.get<std::string>()) != spec.choices.end();
      AG_CHECK(known, "{} must be {}, got {}", name, either(spec.choices), value.dump());
    }
    if (!spec.range) continue;
    const Range& r = *spec.range;
    if (spec.integer) {
      json_integer(value, name, static_cast<int64_t>(r.min), static_cast<int64_t>(r.max));
      continue;
    }
    const double v = value.is_number() ? value.get<double>() : std::nan("");
    const bool above = r.open_min ? v > r.min : v >= r.min;
    const bool below = r.open_max ? v < r.max : v <= r.max;
    AG_CHECK(above && below, "{} must be a number in {}{}, {}{}, got {}", name, r.open_min ? '(' : '[', r.min, r.max,
             r.open_max ? ')' : ']', shown(value));
  }
}

void check_saved_settings(const std::vector<SettingSpec>& specs, const nlohmann::json& values, const std::string& where) {
  AG_CHECK(values.is_object(), "{} must be a JSON object, got {}", where, values.dump());
  check_settings(specs, values, where);
}

void throw_damaged_settings(const std::string& where, const std::exception& e) {
  throw Error(fmt::format("{}: the saved settings are incomplete or damaged ({}); was this file written by another "
                          "program, or another version of it?", where, e.what()));
}

nlohmann::json merge_resumed_settings(const std::vector<SettingSpec>& specs, const FlagGiven& was_given,
                                      const nlohmann::json& given, nlohmann::json saved, const std::string& command,
                                      const std::string& may_change) {
  for (const SettingSpec& spec : specs) {
    if (spec.flag.empty() || !was_given(spec.flag)) continue;
    const nlohmann::json::json_pointer at(spec.key);
    if (spec.on_resume == OnResume::kMayChange) {
      saved[at] = given[at];
      continue;
    }
    AG_CHECK(given[at] == saved[at],
             "{} --resume: {} was {} in the saved run but {} now; a resumed run keeps its settings ({}). Drop {} or "
             "start a new run with --out.",
             command, spec.flag, shown(saved[at]), shown(given[at]), may_change, spec.flag);
  }
  return saved;
}

}  // namespace ag::train
