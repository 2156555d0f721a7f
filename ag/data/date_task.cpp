// Dates in many human formats, rendered to ISO 8601; see date_task.h.
#include "ag/data/date_task.h"

#include <fmt/format.h>

#include <array>
#include <chrono>

namespace ag::data {
namespace {

struct Date {
  int year, month, day;
  unsigned weekday;  // 0 = Sunday, as std::chrono::weekday::c_encoding
};

constexpr std::array<std::string_view, 12> kMonths = {"January",   "February", "March",    "April",
                                                      "May",       "June",     "July",     "August",
                                                      "September", "October",  "November", "December"};
constexpr std::array<std::string_view, 7> kWeekdays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};

std::string_view month(const Date& t) { return kMonths[t.month - 1]; }
std::string_view mon(const Date& t) { return month(t).substr(0, 3); }
std::string_view weekday(const Date& t) { return kWeekdays[t.weekday]; }
std::string_view wkd(const Date& t) { return weekday(t).substr(0, 3); }
int yy(const Date& t) { return t.year % 100; }

// 1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st, 22nd, 23rd, ..., 31st.
std::string ordinal(int day) {
  const char* suffix = (day % 100 >= 11 && day % 100 <= 13) ? "th"
                       : day % 10 == 1                      ? "st"
                       : day % 10 == 2                      ? "nd"
                       : day % 10 == 3                      ? "rd"
                                                            : "th";
  return fmt::format("{}{}", day, suffix);
}

using Format = std::string (*)(const Date&);

// Numeric formats first, then formats with words. Keep the conventions of date_task.h: a year-last
// "/" is always US month/day, a year-last "." or "-" is always day-month.
constexpr Format kFormats[] = {
    [](const Date& t) { return fmt::format("{:02}.{:02}.{}", t.day, t.month, t.year); },         // 21.11.2026
    [](const Date& t) { return fmt::format("{}.{}.{}", t.day, t.month, t.year); },               // 1.2.2026
    [](const Date& t) { return fmt::format("{:02}.{:02}.{:02}", t.day, t.month, yy(t)); },       // 21.11.26
    [](const Date& t) { return fmt::format("{:02}-{:02}-{}", t.day, t.month, t.year); },         // 21-11-2026
    [](const Date& t) { return fmt::format("{:02}/{:02}/{}", t.month, t.day, t.year); },         // 11/21/2026
    [](const Date& t) { return fmt::format("{}/{}/{:02}", t.month, t.day, yy(t)); },             // 11/21/26
    [](const Date& t) { return fmt::format("{}/{:02}/{:02}", t.year, t.month, t.day); },         // 2026/11/21
    [](const Date& t) { return fmt::format("{}{:02}{:02}", t.year, t.month, t.day); },           // 20261121
    [](const Date& t) { return fmt::format("{}-{:02}-{:02}", t.year, t.month, t.day); },         // 2026-11-21
    [](const Date& t) { return fmt::format("{} {} {}", t.day, mon(t), t.year); },                // 21 Nov 2026
    [](const Date& t) { return fmt::format("{}-{}-{}", t.day, mon(t), t.year); },                // 21-Nov-2026
    [](const Date& t) { return fmt::format("{} {} {}", t.day, month(t), t.year); },              // 21 November 2026
    [](const Date& t) { return fmt::format("{} {}, {}", mon(t), t.day, t.year); },               // Nov 21, 2026
    [](const Date& t) { return fmt::format("{} {}, {:02}", mon(t), t.day, yy(t)); },             // Nov 21, 26
    [](const Date& t) { return fmt::format("{} {}, {}", month(t), t.day, t.year); },             // November 21, 2026
    [](const Date& t) { return fmt::format("{} {} {}", month(t), t.day, t.year); },              // November 21 2026
    [](const Date& t) { return fmt::format("{} of {} {}", ordinal(t.day), month(t), t.year); },  // 21st of ...
    [](const Date& t) { return fmt::format("the {} of {}, {}", ordinal(t.day), month(t), t.year); },  // the 21st ...
    [](const Date& t) { return fmt::format("{} {}, {}", month(t), ordinal(t.day), t.year); },  // November 21st, 2026
    [](const Date& t) { return fmt::format("{}, {} {}, {}", weekday(t), month(t), t.day, t.year); },  // Saturday, ...
    [](const Date& t) { return fmt::format("{} {} {} {}", wkd(t), t.day, mon(t), t.year); },          // Sat 21 Nov 2026
};

// Most sources keep their natural case; some are all lower or all upper case ("21 NOV 2026").
std::string recase(std::string text, Rng& rng) {
  const uint64_t choice = uniform_below(rng, 20);
  for (char& c : text) {
    if (choice < 3 && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (choice >= 17 && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

Date to_date(std::chrono::sys_days day) {
  const std::chrono::year_month_day ymd(day);
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day())), std::chrono::weekday(day).c_encoding()};
}

std::string iso(const Date& t) { return fmt::format("{}-{:02}-{:02}", t.year, t.month, t.day); }

}  // namespace

TextPair draw_date_example(Rng& rng) {
  using namespace std::chrono;
  const int64_t first = sys_days(year(1950) / January / 1).time_since_epoch().count();
  const int64_t last = sys_days(year(2049) / December / 31).time_since_epoch().count();
  const Date date = to_date(sys_days(days(uniform_int(rng, first, last))));
  const Format format = kFormats[uniform_below(rng, std::size(kFormats))];
  return {recase(format(date), rng), iso(date)};
}

std::vector<std::string> date_format_examples() {
  using namespace std::chrono;
  const Date date = to_date(sys_days(year(2026) / November / 21));
  std::vector<std::string> out;
  for (Format format : kFormats) out.push_back(format(date));
  return out;
}

}  // namespace ag::data
