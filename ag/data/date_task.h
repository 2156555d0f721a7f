// The date-normalisation task: dates written the many ways people write them, to ISO 8601.
//
//   "21st of November 2026", "Nov 21, 26", "21.11.2026", "Saturday, November 21, 2026",
//   "11/21/2026", "21 NOV 2026", "20261121"  ->  "2026-11-21"
//
// It is translation in miniature: the model must reorder fields (day-month-year to year-month-day),
// rewrite words as numbers ("November" -> "11"), drop noise (weekdays, "the", "of", "st") and expand
// two-digit years, so it needs attention, yet a small Transformer learns it to near-perfect exact
// match with character tokens in minutes. Every format is unambiguous: "." and "-" with the year last
// are day-month-year, "/" with the year last is month/day/year (US), "/" with the year first is
// year/month/day, and two-digit years 50..99 mean 19xx and 00..49 mean 20xx. Dates are drawn uniformly
// from 1950-01-01 to 2049-12-31, and sources are at most 29 characters long.
#pragma once
#include <string>
#include <vector>

#include "ag/data/corpus.h"
#include "ag/data/random.h"

namespace ag::data {

// One random date in one random format: {source, "YYYY-MM-DD"}.
TextPair draw_date_example(Rng& rng);

// The formats, each applied to 2026-11-21 (for documentation and tests).
std::vector<std::string> date_format_examples();

}  // namespace ag::data
