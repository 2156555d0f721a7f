// Split generation and the copy / reverse / sort tasks; see tasks.h.
#include "ag/data/tasks.h"

#include <algorithm>
#include <unordered_set>

#include "ag/core/error.h"
#include "ag/data/date_task.h"

namespace ag::data {
namespace {

constexpr std::string_view kSymbols = "abcdefghijklmnopqrstuvwxyz0123456789";

// Fills `out` with `count` examples whose sources are not in `seen` yet. Gives up after many draws in
// a row that brought nothing new, which means the task has fewer distinct examples than asked for.
void fill_split(const std::function<TextPair(Rng&)>& draw, Rng& rng, size_t count,
                std::unordered_set<std::string>& seen, std::vector<TextPair>& out, const char* split) {
  constexpr size_t kMaxMisses = 10000;
  size_t misses = 0;
  while (out.size() < count) {
    TextPair pair = draw(rng);
    if (!seen.insert(pair.src).second) {
      AG_CHECK(++misses < kMaxMisses,
               "make_splits: the task produced only {} distinct sources; asked for {} more "
               "in the {} split. Ask for fewer examples or make the task larger",
               seen.size(), count - out.size(), split);
      continue;
    }
    misses = 0;
    out.push_back(std::move(pair));
  }
}

std::string join(const std::vector<char>& symbols, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < symbols.size(); ++i) {
    if (i > 0) out += separator;
    out += symbols[i];
  }
  return out;
}

}  // namespace

TaskSplits make_splits(const std::function<TextPair(Rng&)>& draw, SplitSizes sizes, uint64_t seed) {
  TaskSplits splits;
  std::unordered_set<std::string> seen;
  const auto fill = [&](uint64_t split_index, size_t count, std::vector<TextPair>& out, const char* name) {
    std::seed_seq seq{seed, split_index};  // an independent stream per split
    Rng rng(seq);
    fill_split(draw, rng, count, seen, out, name);
  };
  fill(0, sizes.train, splits.train, "train");
  fill(1, sizes.val, splits.val, "val");
  fill(2, sizes.test, splits.test, "test");
  return splits;
}

TextPair draw_sequence_example(SequenceTask task, Rng& rng, const SequenceTaskOptions& options) {
  AG_CHECK(options.num_symbols >= 1 && options.num_symbols <= kSymbols.size(),
           "sequence task: num_symbols must be in [1, {}], got {}", kSymbols.size(), options.num_symbols);
  AG_CHECK(options.min_len >= 1 && options.min_len <= options.max_len,
           "sequence task: need 1 <= min_len <= max_len, got min_len {} and max_len {}", options.min_len,
           options.max_len);
  const auto len = static_cast<size_t>(
      uniform_int(rng, static_cast<int64_t>(options.min_len), static_cast<int64_t>(options.max_len)));
  std::vector<char> symbols(len);
  for (char& s : symbols) s = kSymbols[uniform_below(rng, options.num_symbols)];
  std::vector<char> answer = symbols;
  if (task == SequenceTask::kReverse) std::reverse(answer.begin(), answer.end());
  if (task == SequenceTask::kSort) std::sort(answer.begin(), answer.end());
  return {join(symbols, options.separator), join(answer, options.separator)};
}

TaskSplits make_task_splits(const std::string& name, SplitSizes sizes, uint64_t seed) {
  if (name == "dates") return make_splits(draw_date_example, sizes, seed);
  const SequenceTask task = name == "copy"      ? SequenceTask::kCopy
                            : name == "reverse" ? SequenceTask::kReverse
                            : name == "sort"    ? SequenceTask::kSort
                                                : throw Error(fmt::format("unknown task '{}'; choose dates, copy, "
                                                                             "reverse or sort",
                                                                          name));
  return make_splits([task](Rng& rng) { return draw_sequence_example(task, rng); }, sizes, seed);
}

}  // namespace ag::data
