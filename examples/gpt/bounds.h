// The range of every setting of gpt, for flags and for what files say alike.
//
// A setting comes from a flag, or from a file an earlier run wrote (model.safetensors's `config`,
// a checkpoint's `options` read on --resume), which may come from anyone. Both are checked against
// one table (bounds.cpp) before anything is built from them, and an integer in a file must be
// written as one (JSON's 2.0e19 or 1.5 where a count belongs is refused, not cast). The bounds keep
// what the program allocates (layers, a positional table, batches, a thread pool) far from what
// exhausts the machine; sizes built from several settings are checked in model.h (check_fits).
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

namespace gpt {

// Throws an ag::Error unless every setting of `config` (a ModelConfig as JSON) is in its range. The
// message names the flag and the value, and, for a file, `where` ("m.safetensors: config") and the key.
void check_model_bounds(const nlohmann::json& config, std::string_view where = "");
// The same for a TrainOptions as JSON (its `model` with check_model_bounds).
void check_train_bounds(const nlohmann::json& options, std::string_view where = "");

// An integer flag that no file keeps (--threads, sample's --tokens...): `value` in [min, max].
void check_flag(std::string_view flag, int64_t value, int64_t min, int64_t max);

inline constexpr int64_t kMaxThreads = 1024;          // libgomp fails long before 100000
inline constexpr int64_t kMaxSampleTokens = 1000000;  // tokens one command writes (10 minutes at 1,700/s)
inline constexpr int64_t kMaxRows = 4096;             // --num-samples, eval's --batch-size

}  // namespace gpt
