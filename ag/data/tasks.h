// Built-in tasks: data generated in code from a seed, so examples and tests need no download.
//
//   auto splits = ag::data::make_task_splits("dates", {.train = 20000, .val = 1000, .test = 1000}, 1);
//   splits.train[0];   // {"Nov 21, 26", "2026-11-21"}
//
// copy, reverse and sort of symbol sequences are the classic sanity checks of a sequence-to-sequence
// model ("c a f" -> "c a f" / "f a c" / "a c f"); "dates" (date_task.h) is a small translation-like
// task and the default data of the seq2seq example.
//
// Splits never overlap: each split draws from its own generator (seeded from the seed and the split),
// no source appears twice in a split, and val and test skip every source already in an earlier split.
// The same seed and sizes always give the same splits.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ag/data/corpus.h"
#include "ag/data/random.h"

namespace ag::data {

struct SplitSizes {
  size_t train = 0;
  size_t val = 0;
  size_t test = 0;
};

struct TaskSplits {
  std::vector<TextPair> train, val, test;
};

// Draws examples from `draw` until every split is full of distinct sources; throws if `draw` cannot
// produce that many distinct sources.
TaskSplits make_splits(const std::function<TextPair(Rng&)>& draw, SplitSizes sizes, uint64_t seed);

enum class SequenceTask { kCopy, kReverse, kSort };

struct SequenceTaskOptions {
  size_t num_symbols = 10;  // symbols are the first of "abc...xyz0123456789"
  size_t min_len = 1;
  size_t max_len = 12;
  std::string separator = " ";  // between symbols; "" gives "caf"
};

// One random example of a copy, reverse or sort task.
TextPair draw_sequence_example(SequenceTask task, Rng& rng, const SequenceTaskOptions& options = {});

// By name: "copy", "reverse", "sort" (with default SequenceTaskOptions) or "dates".
TaskSplits make_task_splits(const std::string& name, SplitSizes sizes, uint64_t seed);

}  // namespace ag::data
