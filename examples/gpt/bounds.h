// The ranges of gpt's flags that no file keeps (sample's --tokens, eval's --batch-size; --threads
// is ag::check_threads_flag's). The settings `gpt train` saves have their ranges on their settings
// list (options.h, and model.h for the model), checked alike for a flag, a weights file and a
// checkpoint read on --resume.
#pragma once
#include <cstdint>
#include <string_view>

namespace gpt {

// An integer flag that no file keeps: `value` in [min, max].
void check_flag(std::string_view flag, int64_t value, int64_t min, int64_t max);

inline constexpr int64_t kMaxSampleTokens = 1000000;  // tokens one command writes (10 minutes at 1,700/s)
inline constexpr int64_t kMaxRows = 4096;             // --num-samples, eval's --batch-size

}  // namespace gpt
