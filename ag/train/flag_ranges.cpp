// Ranges of the flags every training program has; see flag_ranges.h.
#include "ag/train/flag_ranges.h"

#include <limits>

#include "ag/core/error.h"
#include "ag/core/parallel.h"

namespace ag::train {

void check_max_time_flag(double seconds) {
  AG_CHECK(seconds >= 0 && seconds <= 1e9, "--max-time ({}) must be in [0, 1e9] seconds (0: no limit)", seconds);
}

void check_session_flags(double max_time, int64_t threads) {
  check_max_time_flag(max_time);
  check_threads_flag(threads);
}

void check_adamw_flags(double lr, double min_lr, double weight_decay, double clip) {
  AG_CHECK(lr > 0 && lr <= 100 && min_lr >= 0 && min_lr <= lr,
           "--lr ({}) must be in (0, 100] and --min-lr ({}) in [0, lr]", lr, min_lr);
  AG_CHECK(weight_decay >= 0 && weight_decay <= 100, "--weight-decay ({}) must be in [0, 100]", weight_decay);
  AG_CHECK(clip >= 0 && clip <= 1e9, "--clip ({}) must be in [0, 1e9] (0: no clipping)", clip);
}

void check_seed_flag(uint64_t seed) {
  constexpr auto kMost = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  AG_CHECK(seed <= kMost, "--seed ({}) must be in [0, {}]", seed, kMost);
}

}  // namespace ag::train
