// The table of every saved setting's range, and the checks of `gpt train`'s settings as a whole.
#include "bounds.h"

#include <algorithm>
#include <fmt/format.h>
#include <span>
#include <string>

#include "ag/core/error.h"
#include "ag/core/json_number.h"
#include "corpus.h"
#include "train.h"

namespace gpt {

namespace {

// A setting as a file keeps it (its JSON key) and the flag that sets it ("" for none).
struct Bound {
  std::string_view key, flag;
  double min, max;
  bool integer = true;
  bool open_min = false, open_max = false;  // (min, ...] or [..., max): the bound itself is refused
};

// Counts of steps are bounded only to refuse nonsense; sizes so that each alone stays allocatable.
constexpr double kMaxSteps = 1e12, kMaxTokens = kMaxSampleTokens;

constexpr Bound kModelBounds[] = {
    {.key = "vocab_size", .flag = "", .min = 0, .max = 1 << 20},
    {.key = "block_size", .flag = "--context", .min = 1, .max = 65536},
    {.key = "n_layer", .flag = "--layers", .min = 1, .max = 256},
    {.key = "n_head", .flag = "--heads", .min = 1, .max = 1024},
    {.key = "n_embd", .flag = "--width", .min = 1, .max = 65536},
    {.key = "dropout", .flag = "--dropout", .min = 0, .max = 1, .integer = false, .open_max = true},
};

constexpr Bound kTrainBounds[] = {
    {.key = "vocab_size", .flag = "--vocab-size", .min = 0, .max = 1 << 20},
    {.key = "batch_size", .flag = "--batch-size", .min = 1, .max = 65536},
    {.key = "lr", .flag = "--lr", .min = 0, .max = 10, .integer = false, .open_min = true},
    {.key = "min_lr", .flag = "--min-lr", .min = 0, .max = 10, .integer = false},
    {.key = "beta1", .flag = "", .min = 0, .max = 1, .integer = false, .open_max = true},
    {.key = "beta2", .flag = "", .min = 0, .max = 1, .integer = false, .open_max = true},
    {.key = "weight_decay", .flag = "--weight-decay", .min = 0, .max = 10, .integer = false},
    {.key = "clip", .flag = "--clip", .min = 0, .max = 1e6, .integer = false},
    {.key = "warmup", .flag = "--warmup", .min = 0, .max = kMaxSteps},
    {.key = "max_steps", .flag = "--max-steps", .min = 1, .max = kMaxSteps},
    {.key = "eval_every", .flag = "--eval-every", .min = 1, .max = kMaxSteps},
    {.key = "eval_batches", .flag = "--eval-batches", .min = 1, .max = 1e6},
    {.key = "save_every", .flag = "--save-every", .min = 1, .max = kMaxSteps},
    {.key = "sample_tokens", .flag = "--sample-tokens", .min = 0, .max = kMaxTokens},
    {.key = "seed", .flag = "--seed", .min = 0, .max = 1e18},
};

// How a message names a setting: the flag, or in a file the file, the key and the flag.
std::string setting_name(const Bound& b, std::string_view where) {
  if (where.empty()) return std::string(b.flag.empty() ? b.key : b.flag);
  return fmt::format("{} {}{}", where, b.key, b.flag.empty() ? "" : fmt::format(" ({})", b.flag));
}

void check_number(const nlohmann::json& value, const Bound& b, const std::string& name) {
  if (b.integer) ag::json_integer(value, name, static_cast<int64_t>(b.min), static_cast<int64_t>(b.max));
  else ag::json_number(value, name, b.min, b.max, b.open_min, b.open_max);
}

// A missing key is left to from_json, which names it.
void check_bounds(const nlohmann::json& values, std::span<const Bound> bounds, std::string_view where) {
  AG_CHECK(values.is_object(), "{} must be a JSON object, got {}", where, values.dump());
  for (const Bound& b : bounds) {
    const std::string key(b.key);
    if (values.contains(key)) check_number(values.at(key), b, setting_name(b, where));
  }
}

}  // namespace

void check_model_bounds(const nlohmann::json& config, std::string_view where) {
  check_bounds(config, kModelBounds, where);
}

void check_train_bounds(const nlohmann::json& options, std::string_view where) {
  check_bounds(options, kTrainBounds, where);
  if (options.contains("model"))
    check_model_bounds(options["model"], where.empty() ? "" : fmt::format("{} model", where));
  if (options.contains("tokenizer")) {
    const nlohmann::json& t = options["tokenizer"];
    AG_CHECK(t == "char" || t == "bpe" || t == "unigram", "{} must be char, bpe or unigram, got {}",
             where.empty() ? "--tokenizer" : fmt::format("{} tokenizer (--tokenizer)", where), t.dump());
  }
}

void check_flag(std::string_view flag, int64_t value, int64_t min, int64_t max) {
  AG_CHECK(value >= min && value <= max, "{} must be from {} to {}, got {}", flag, min, max, value);
}

void TrainOptions::validate() const {
  check_train_bounds(nlohmann::json(*this));
  check_flag("--threads", threads, 0, kMaxThreads);
  AG_CHECK(max_time >= 0 && max_time <= 1e9, "--max-time must be a number of seconds in [0, 1e9], got {}", max_time);
  model.validate();
  AG_CHECK(min_lr <= lr, "--min-lr ({}) must not exceed --lr ({})", min_lr, lr);
  AG_CHECK(max_steps > warmup, "--max-steps ({}) must exceed --warmup ({})", max_steps, warmup);
  AG_CHECK(tokenizer != "char" || vocab_size == 0, "--vocab-size ({}) is for SentencePiece tokens (--tokenizer bpe "
           "or unigram); characters are counted from the text", vocab_size);
  AG_CHECK(vocab_size == 0 || vocab_size >= kMinVocabSize, "--vocab-size ({}) must be at least {} (the four special "
           "tokens, the newline, and the text's characters)", vocab_size, kMinVocabSize);
  // The vocabulary is known once the text is read; until then, the size asked for (if any).
  ModelConfig sized = model;
  sized.vocab_size = std::max(model.vocab_size, vocab_size);
  check_fits(sized, batch_size, "--batch-size", /*training=*/true);
}

}  // namespace gpt
