// Ranges of the flags every training program has; see flag_ranges.h.
#include "ag/train/flag_ranges.h"

#include <limits>

#include "ag/core/error.h"

namespace ag::train {

void check_max_time_flag(double seconds) {
  AG_CHECK(seconds >= 0 && seconds <= 1e9, "--max-time ({}) must be in [0, 1e9] seconds (0: no limit)", seconds);
}

void check_seed_flag(uint64_t seed) {
  constexpr auto kMost = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  AG_CHECK(seed <= kMost, "--seed ({}) must be in [0, {}]", seed, kMost);
}

}  // namespace ag::train
