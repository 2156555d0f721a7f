// Built-in tasks: correct answers, determinism, disjoint splits, and the date formats.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <set>

#include "ag/core/error.h"
#include "ag/data/date_task.h"
#include "ag/data/tasks.h"
#include "ag/data/utf8.h"

using namespace ag::data;

namespace {

std::set<std::string> sources(const std::vector<TextPair>& pairs) {
  std::set<std::string> out;
  for (const auto& p : pairs) out.insert(p.src);
  return out;
}

void check_disjoint(const TaskSplits& s) {
  const auto train = sources(s.train), val = sources(s.val), test = sources(s.test);
  CHECK(train.size() == s.train.size());  // no duplicates inside a split
  CHECK(val.size() == s.val.size());
  CHECK(test.size() == s.test.size());
  for (const auto& src : val) CHECK(train.count(src) == 0);
  for (const auto& src : test) CHECK((train.count(src) == 0 && val.count(src) == 0));
}

// "YYYY-MM-DD" naming a real calendar day between 1950 and 2049.
bool is_iso_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  const int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
  using namespace std::chrono;
  return y >= 1950 && y <= 2049 && year_month_day(year(y), month(m), day(d)).ok();
}

}  // namespace

TEST_CASE("copy, reverse and sort give the right answers", "[data][tasks]") {
  Rng rng(1);
  for (int i = 0; i < 50; ++i) {
    const TextPair copy = draw_sequence_example(SequenceTask::kCopy, rng);
    CHECK(copy.src == copy.tgt);
    TextPair rev = draw_sequence_example(SequenceTask::kReverse, rng, {.separator = ""});
    std::reverse(rev.src.begin(), rev.src.end());
    CHECK(rev.src == rev.tgt);
    TextPair sorted = draw_sequence_example(SequenceTask::kSort, rng, {.num_symbols = 20, .separator = ""});
    std::sort(sorted.src.begin(), sorted.src.end());
    CHECK(sorted.src == sorted.tgt);
    CHECK(sorted.tgt.size() <= 12);
  }
  const TextPair spaced = draw_sequence_example(SequenceTask::kCopy, rng, {.min_len = 3, .max_len = 3});
  CHECK(spaced.src.size() == 5);  // "a b c"
  CHECK_THROWS_WITH(draw_sequence_example(SequenceTask::kCopy, rng, {.num_symbols = 40}),
                    Catch::Contains("num_symbols must be in [1, 36]"));
}

TEST_CASE("the same seed gives the same splits, and splits never overlap", "[data][tasks]") {
  for (const std::string name : {"dates", "copy", "reverse", "sort"}) {
    INFO(name);
    const TaskSplits a = make_task_splits(name, {.train = 2000, .val = 200, .test = 200}, 42);
    const TaskSplits b = make_task_splits(name, {.train = 2000, .val = 200, .test = 200}, 42);
    const TaskSplits c = make_task_splits(name, {.train = 2000, .val = 200, .test = 200}, 43);
    CHECK(a.train == b.train);
    CHECK(a.val == b.val);
    CHECK(a.test == b.test);
    CHECK(a.train != c.train);
    CHECK(a.train.size() == 2000);
    CHECK(a.test.size() == 200);
    check_disjoint(a);
  }
  CHECK_THROWS_WITH(make_task_splits("dates-fr", {.train = 1}, 1), Catch::Contains("unknown task 'dates-fr'"));
}

TEST_CASE("a task too small for the splits asked for is an error", "[data][tasks]") {
  const auto tiny = [](Rng& rng) {
    return draw_sequence_example(SequenceTask::kCopy, rng, {.num_symbols = 2, .max_len = 2});
  };
  CHECK(make_splits(tiny, {.train = 4, .val = 2}, 1).val.size() == 2);  // 2 + 4 distinct sequences
  CHECK_THROWS_WITH(make_splits(tiny, {.train = 4, .val = 2, .test = 1}, 1),
                    Catch::Contains("only 6 distinct sources") && Catch::Contains("test split"));
}

TEST_CASE("dates come in many formats and always map to a valid ISO date", "[data][tasks]") {
  const std::vector<std::string> formats = date_format_examples();
  for (const std::string expected : {"21.11.2026", "21.11.26", "11/21/2026", "2026/11/21", "20261121", "21 Nov 2026",
                                     "Nov 21, 26", "21st of November 2026", "the 21st of November, 2026",
                                     "November 21st, 2026", "Saturday, November 21, 2026", "Sat 21 Nov 2026"}) {
    CHECK(std::find(formats.begin(), formats.end(), expected) != formats.end());
  }
  const TaskSplits splits = make_task_splits("dates", {.train = 5000}, 7);
  size_t lower = 0, upper = 0;
  for (const auto& [src, tgt] : splits.train) {
    CHECK(is_iso_date(tgt));
    CHECK(utf8::length(src) <= 29);
    lower += src.find("nov") != std::string::npos || src.find("jan") != std::string::npos;
    upper += src.find("NOV") != std::string::npos || src.find("JAN") != std::string::npos;
  }
  CHECK(lower > 0);
  CHECK(upper > 0);
}

TEST_CASE("two-digit years and weekdays are right", "[data][tasks]") {
  const TaskSplits splits = make_task_splits("dates", {.train = 5000}, 3);
  for (const auto& [src, tgt] : splits.train) {
    // "11/21/26"-style sources: month/day/two-digit year.
    if (std::count(src.begin(), src.end(), '/') == 2 && src.size() <= 8 && src.find('/') <= 2) {
      const int yy = std::stoi(src.substr(src.rfind('/') + 1));
      CHECK(std::stoi(tgt.substr(0, 4)) == (yy >= 50 ? 1900 + yy : 2000 + yy));
    }
  }
  CHECK(date_format_examples()[19] == "Saturday, November 21, 2026");  // 2026-11-21 is a Saturday
}
