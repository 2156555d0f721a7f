// Reading a JSON number as an integer only when it is one, and a real number only within its
// range, for every file ag reads (safetensors headers, checkpoint metadata, configuration).
//
// nlohmann's get<int64_t>() converts a float with a plain cast, so 2.0e19 (or 1.5, or a number too
// large for uint64, which the parser stores as a float) becomes undefined behaviour instead of an
// error. json_integer accepts only numbers written as integers, within [min, max].
#pragma once
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "ag/core/error.h"

namespace ag {

// `value` as an int64 in [min, max] when it is a number written as an integer in that range;
// nullopt for anything else (a float, a string, an integer out of range).
inline std::optional<int64_t> json_integer_if(const nlohmann::json& value,
                                              int64_t min = std::numeric_limits<int64_t>::min(),
                                              int64_t max = std::numeric_limits<int64_t>::max()) {
  if (value.is_number_unsigned()) {  // the parser's type for every non-negative integer
    const uint64_t u = value.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    const auto i = static_cast<int64_t>(u);
    return i >= min && i <= max ? std::optional(i) : std::nullopt;
  }
  if (!value.is_number_integer()) return std::nullopt;
  const auto i = value.get<int64_t>();
  return i >= min && i <= max ? std::optional(i) : std::nullopt;
}

// `value` as an int64 in [min, max], or an ag::Error "<what> must be an integer from <min> to <max>,
// got <value>".
inline int64_t json_integer(const nlohmann::json& value, std::string_view what,
                            int64_t min = std::numeric_limits<int64_t>::min(),
                            int64_t max = std::numeric_limits<int64_t>::max()) {
  const std::optional<int64_t> integer = json_integer_if(value, min, max);
  AG_CHECK(integer.has_value(), "{} must be an integer from {} to {}, got {}", what, min, max, value.dump());
  return *integer;
}

// `value` as a double from `min` to `max`, each end included unless `open_min` / `open_max` says
// otherwise, or an ag::Error "<what> must be a number in [<min>, <max>), got <value>". A value
// that is not a number (a string, NaN, which JSON writes as null) is refused.
inline double json_number(const nlohmann::json& value, std::string_view what, double min, double max,
                          bool open_min = false, bool open_max = false) {
  const double v = value.is_number() ? value.get<double>() : std::numeric_limits<double>::quiet_NaN();
  const bool above = open_min ? v > min : v >= min;
  const bool below = open_max ? v < max : v <= max;
  AG_CHECK(above && below, "{} must be a number in {}{}, {}{}, got {}", what, open_min ? '(' : '[', min, max,
           open_max ? ')' : ']', value.dump());
  return v;
}

}  // namespace ag
