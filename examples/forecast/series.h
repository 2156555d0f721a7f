// The series a forecaster trains on or continues: one value column of a CSV file, with its time.
//
// Which columns are time, and what calendar they give:
//   year, month and date_of_month (or day) columns   daily dates (us_births); a day_of_week
//                                                    column beside them is time too
//   a first column of dates "YYYY-MM-DD..."          dates
//   a first column of numbers                        decimal years, R's ts convention (co2:
//                                                    1959.0833 is February 1959)
//   anything else in the first column                labels only, no calendar
// The value column is --column, or else the last column that is not time. Every value must be a
// finite number: an empty cell, "NA" or text is an error naming its line (ag::data::CsvTable).
//
// Calendar features (for --calendar), as sines and cosines so that December sits next to January:
//   dates          day of the week and day of the year (4 features)
//   decimal years  the fraction of the year (2 features)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ag/data/csv.h"

namespace forecast {

enum class TimeKind { kDate, kDecimalYear, kLabel };

struct Series {
  std::string name;                            // "co2.csv: co2", for messages and plots
  std::string column;                          // the value column
  std::vector<double> values;
  TimeKind time_kind = TimeKind::kLabel;
  std::vector<double> times;                   // days since 1970-01-01, or decimal years; empty for labels
  std::vector<std::string> labels;             // each step's time as the file writes it
  std::vector<std::vector<double>> calendar;   // per step, calendar_features() values

  int64_t size() const { return static_cast<int64_t>(values.size()); }
  int64_t calendar_features() const;
  // The time between the last two steps (days, or years: exactly 1/12 or 1/4 when it is monthly or
  // quarterly to the 4 decimals files write); 1 for a single step.
  double spacing() const;
  // The time label `steps` after the last one (dates and decimal years step on at spacing();
  // labels become "+steps").
  std::string label_after(int64_t steps) const;
  // The season the time column suggests: 12 for monthly and 4 for quarterly decimal years, 7 for
  // daily dates; 0 when it cannot tell.
  int64_t guess_season() const;
};

// The series in `table`: its value column is `column`, or the last one that is not time when empty.
Series series_from_csv(const ag::data::CsvTable& table, const std::string& column);

// The built-in example: 30 years of a monthly series, level 100, trend 0.05 a month, a yearly
// season (amplitudes 10 and 4) and Gaussian noise of 1, from a fixed seed: learnable, not trivial.
Series generated_series();

// Days since 1970-01-01 of a civil date (proleptic Gregorian), and back.
struct CivilDate {
  int64_t year, month, day;
};
int64_t days_from_civil(int64_t year, int64_t month, int64_t day);
CivilDate civil_from_days(int64_t days);
std::string format_date(int64_t days);  // "YYYY-MM-DD"

}  // namespace forecast
