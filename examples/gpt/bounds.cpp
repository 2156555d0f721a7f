// The range check of a flag no file keeps; see bounds.h.
#include "bounds.h"

#include "ag/core/error.h"

namespace gpt {

void check_flag(std::string_view flag, int64_t value, int64_t min, int64_t max) {
  AG_CHECK(value >= min && value <= max, "{} must be from {} to {}, got {}", flag, min, max, value);
}

}  // namespace gpt
