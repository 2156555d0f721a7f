// The bound on counts of steps that every training program's settings list shares (examples/classify,
// examples/forecast): on the command line and in a checkpoint alike. --threads is
// ag::check_threads_flag (ag/core/parallel.h), which knows the machine's cores.
#pragma once
#include <cstdint>

namespace ag::train {

// The most steps a count of steps may be (warmup, between validations, in all): only nonsense is
// refused, and any sum or product of two such counts stays far from overflowing int64.
inline constexpr int64_t kMaxSteps = int64_t{1} << 40;

}  // namespace ag::train
