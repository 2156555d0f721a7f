// Reading a series and its time from a CSV table, the calendar, and the built-in series (see series.h).
#include "series.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "ag/core/error.h"
#include "ag/data/random.h"

namespace forecast {

int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  // Howard Hinnant's algorithm: count from 0000-03-01 in 400-year eras, so that February comes last.
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t year_of_era = y - era * 400;
  const int64_t day_of_year = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

CivilDate civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t day_of_era = z - era * 146097;
  const int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;
  const int64_t d = day_of_year - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
  return {year_of_era + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

std::string format_date(int64_t days) {
  const CivilDate date = civil_from_days(days);
  return fmt::format("{:04d}-{:02d}-{:02d}", date.year, date.month, date.day);
}

namespace {

constexpr double kTwoPi = 2 * std::numbers::pi;

const std::vector<std::string> kDayColumns = {"date_of_month", "day_of_month", "day"};
const std::vector<std::string> kWeekdayColumns = {"day_of_week", "weekday"};

bool has(const std::vector<std::string>& header, const std::string& name) {
  return std::find(header.begin(), header.end(), name) != header.end();
}

// A whole number in [low, high] from `table`, or an error naming the line.
int64_t whole_number(const ag::data::CsvTable& table, size_t row, size_t column, int64_t low, int64_t high) {
  const double value = table.number(row, column);
  AG_CHECK(value == std::floor(value) && value >= static_cast<double>(low) && value <= static_cast<double>(high),
           "{}: line {}, column '{}': {} is not a whole number in [{}, {}]", table.name, table.lines[row],
           table.header[column], table.rows[row][column], low, high);
  return static_cast<int64_t>(value);
}

// "YYYY-MM-DD", possibly followed by a time: sets `days` and returns true, or false if `cell` is not such a date.
bool parse_date(const std::string& cell, int64_t& days) {
  if (cell.size() < 10 || cell[4] != '-' || cell[7] != '-' || (cell.size() > 10 && cell[10] != 'T' && cell[10] != ' '))
    return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (cell[i] < '0' || cell[i] > '9') return false;
  const int64_t y = std::stoll(cell.substr(0, 4)), m = std::stoll(cell.substr(5, 2)), d = std::stoll(cell.substr(8, 2));
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  days = days_from_civil(y, m, d);
  return true;
}

// Whether the first cell of the first column is a number (then every cell there must be one).
bool starts_with_number(const ag::data::CsvTable& table) {
  try {
    table.number(0, 0);
    return true;
  } catch (const ag::Error&) {
    return false;
  }
}

void add_date_calendar(Series& s) {
  for (double t : s.times) {
    const auto days = static_cast<int64_t>(t);
    const double weekday = static_cast<double>(((days + 3) % 7 + 7) % 7);  // Monday 0 (1970-01-01 was a Thursday)
    const double day_of_year = static_cast<double>(days - days_from_civil(civil_from_days(days).year, 1, 1));
    s.calendar.push_back({std::sin(kTwoPi * weekday / 7), std::cos(kTwoPi * weekday / 7),
                          std::sin(kTwoPi * day_of_year / 365.25), std::cos(kTwoPi * day_of_year / 365.25)});
  }
}

void add_year_calendar(Series& s) {
  for (double t : s.times) {
    const double fraction = t - std::floor(t);
    s.calendar.push_back({std::sin(kTwoPi * fraction), std::cos(kTwoPi * fraction)});
  }
}

}  // namespace

Series series_from_csv(const ag::data::CsvTable& table, const std::string& column) {
  AG_CHECK(!table.rows.empty(), "{}: the file has a header but no rows", table.name);
  const auto& header = table.header;
  Series s;
  std::vector<size_t> time_columns;
  const auto day_name = std::find_if(kDayColumns.begin(), kDayColumns.end(), [&](auto& n) { return has(header, n); });
  if (has(header, "year") && has(header, "month") && day_name != kDayColumns.end()) {
    const size_t y = table.column("year"), m = table.column("month"), d = table.column(*day_name);
    time_columns = {y, m, d};
    for (const std::string& name : kWeekdayColumns)
      if (has(header, name)) time_columns.push_back(table.column(name));
    s.time_kind = TimeKind::kDate;
    for (size_t r = 0; r < table.rows.size(); ++r) {
      const int64_t days = days_from_civil(whole_number(table, r, y, -9999, 9999), whole_number(table, r, m, 1, 12),
                                           whole_number(table, r, d, 1, 31));
      s.times.push_back(static_cast<double>(days));
      s.labels.push_back(format_date(days));
    }
  } else {
    time_columns = {0};
    int64_t days = 0;
    if (parse_date(table.rows[0][0], days)) {
      s.time_kind = TimeKind::kDate;
      for (size_t r = 0; r < table.rows.size(); ++r) {
        AG_CHECK(parse_date(table.rows[r][0], days), "{}: line {}, column '{}': '{}' is not a date YYYY-MM-DD",
                 table.name, table.lines[r], header[0], table.rows[r][0]);
        s.times.push_back(static_cast<double>(days));
      }
    } else if (starts_with_number(table)) {
      s.time_kind = TimeKind::kDecimalYear;
      s.times = table.numbers(0);
    }
    for (const auto& row : table.rows) s.labels.push_back(row[0]);
  }
  AG_CHECK(header.size() > time_columns.size(), "{}: every column ({}) is time; there is no value column to forecast",
           table.name, fmt::join(header, ", "));
  size_t value_column = 0;
  if (!column.empty()) {
    value_column = table.column(column);
    AG_CHECK(std::find(time_columns.begin(), time_columns.end(), value_column) == time_columns.end(),
             "{}: column '{}' is the time; choose a value column with --column", table.name, column);
  } else {
    for (size_t c = 0; c < header.size(); ++c)
      if (std::find(time_columns.begin(), time_columns.end(), c) == time_columns.end()) value_column = c;
  }
  s.column = header[value_column];
  s.name = fmt::format("{}: {}", table.name, s.column);
  s.values = table.numbers(value_column);
  for (size_t i = 1; i < s.times.size(); ++i)
    AG_CHECK(s.times[i] > s.times[i - 1], "{}: line {}: the time '{}' does not come after '{}'; sort the rows by time",
             table.name, table.lines[i], s.labels[i], s.labels[i - 1]);
  if (s.time_kind == TimeKind::kDate) add_date_calendar(s);
  if (s.time_kind == TimeKind::kDecimalYear) add_year_calendar(s);
  return s;
}

int64_t Series::calendar_features() const { return calendar.empty() ? 0 : static_cast<int64_t>(calendar[0].size()); }

double Series::spacing() const {
  if (times.size() < 2) return 1.0;
  const double last = times.back() - times[times.size() - 2];
  // Decimal years are written rounded (1959.0833): monthly and quarterly steps are taken exactly.
  if (time_kind == TimeKind::kDecimalYear)
    for (double per_year : {12.0, 4.0})
      if (std::abs(last * per_year - 1) < 1e-3) return 1 / per_year;
  return last;
}

std::string Series::label_after(int64_t steps) const {
  if (time_kind == TimeKind::kLabel || times.empty()) return fmt::format("+{}", steps);
  const double t = times.back() + static_cast<double>(steps) * spacing();
  if (time_kind == TimeKind::kDate) return format_date(static_cast<int64_t>(std::llround(t)));
  return fmt::format("{:.4f}", t);
}

int64_t Series::guess_season() const {
  if (times.size() < 2) return 0;
  const double step = spacing();
  if (time_kind == TimeKind::kDate) return step == 1 ? 7 : 0;
  if (time_kind == TimeKind::kDecimalYear && (step == 1.0 / 12 || step == 0.25)) return static_cast<int64_t>(1 / step + 0.5);
  return 0;
}

Series generated_series() {
  Series s;
  s.name = "generated monthly series", s.column = "value", s.time_kind = TimeKind::kDecimalYear;
  ag::data::Rng rng(7);
  auto uniform = [&] { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; };  // in (0, 1)
  for (int64_t t = 0; t < 360; ++t) {
    // Box-Muller: a standard normal from two uniforms, the same with every standard library.
    const double noise = std::sqrt(-2 * std::log(uniform())) * std::cos(kTwoPi * uniform());
    const double phase = kTwoPi * static_cast<double>(t % 12) / 12;
    s.values.push_back(100 + 0.05 * static_cast<double>(t) + 10 * std::sin(phase) + 4 * std::cos(2 * phase) + noise);
    s.times.push_back(1990 + static_cast<double>(t) / 12);
    s.labels.push_back(fmt::format("{:.4f}", s.times.back()));
  }
  add_year_calendar(s);
  return s;
}

}  // namespace forecast
