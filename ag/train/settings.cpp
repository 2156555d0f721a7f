// The parts of settings.h that do not depend on the options struct: ranges and the --resume rule.
#include "ag/train/settings.h"

#include <cmath>

#include "ag/core/error.h"
#include "ag/core/json_number.h"

namespace ag::train {

const SettingSpec& find_setting(const std::vector<SettingSpec>& specs, const std::string& flag) {
  for (const SettingSpec& spec : specs)
    if (spec.flag == flag) return spec;
  throw Error(fmt::format("there is no setting with the flag {}", flag));
}

void check_settings(const std::vector<SettingSpec>& specs, const nlohmann::json& values) {
  for (const SettingSpec& spec : specs) {
    const nlohmann::json::json_pointer at(spec.key);
    if (!spec.range || !values.contains(at)) continue;
    const Range& r = *spec.range;
    const std::string& name = spec.flag.empty() ? spec.key : spec.flag;
    const nlohmann::json& value = values[at];
    if (spec.integer) {
      json_integer(value, name, static_cast<int64_t>(r.min), static_cast<int64_t>(r.max));
      continue;
    }
    const double v = value.is_number() ? value.get<double>() : std::nan("");
    const bool above = r.open_min ? v > r.min : v >= r.min;
    const bool below = r.open_max ? v < r.max : v <= r.max;
    AG_CHECK(above && below, "{} must be a number in {}{}, {}{}, got {}", name, r.open_min ? '(' : '[', r.min, r.max,
             r.open_max ? ')' : ']', value.dump());
  }
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
             command, spec.flag, saved[at].dump(), given[at].dump(), may_change, spec.flag);
  }
  return saved;
}

}  // namespace ag::train
