// Ranges of the flags every training program has, checked alike by each (examples/classify,
// examples/forecast): on the command line, and on --resume for the values a checkpoint keeps.
// --threads is ag::check_threads_flag (ag/core/parallel.h), which knows the machine's cores.
#pragma once
#include <cstdint>

namespace ag::train {

// The most steps a count of steps may be (warmup, between validations, in all): only nonsense is
// refused, and any sum or product of two such counts stays far from overflowing int64.
inline constexpr int64_t kMaxSteps = int64_t{1} << 40;

// --max-time: seconds in [0, 1e9], 0 for no limit.
void check_max_time_flag(double seconds);
// The flags a resumed run takes from its command line rather than its checkpoint: --max-time and
// --threads.
void check_session_flags(double max_time, int64_t threads);
// --lr and --min-lr (the cosine schedule's floor, at most --lr), --weight-decay and --clip (0: no
// clipping), the AdamW settings of every example.
void check_adamw_flags(double lr, double min_lr, double weight_decay, double clip);
// --seed: at most 2^63 - 1, since a checkpoint keeps it as a JSON integer and reads it back as one.
void check_seed_flag(uint64_t seed);

}  // namespace ag::train
