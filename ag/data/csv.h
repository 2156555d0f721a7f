// Reading CSV files (RFC 4180): a header line naming the columns, then one record a line.
//
//   time,co2                   fields are separated by commas; a field in double quotes may hold
//   1959.0000,315.42           commas, line breaks and "" (one quote); "\r\n" line endings and a
//   1959.0833,316.31           UTF-8 byte order mark are accepted; blank lines are skipped
//
//   const ag::data::CsvTable table = ag::data::read_csv("co2.csv");
//   const std::vector<double> co2 = table.numbers(table.column("co2"));
//
// Every error names the file and the line, so a user can open it there and fix it: a record with
// more or fewer fields than the header, an unclosed quote, a file with no header; and, when a column
// is read as numbers, an empty cell, "NA"/"nan" (a missing value) or text that is not a number.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ag::data {

struct CsvTable {
  std::string name;                               // the file, for messages
  std::vector<std::string> header;                // the column names
  std::vector<std::vector<std::string>> rows;     // every row has header.size() cells
  std::vector<int64_t> lines;                     // the line (1-based) each row starts on

  // The index of the column called `name`; an error lists the columns there are.
  size_t column(const std::string& name) const;
  // Column `index` of every row as finite numbers; an error names the line of the first cell that
  // is empty, missing ("NA", "nan") or not a number.
  std::vector<double> numbers(size_t index) const;
  // The cell in row `row`, column `index`, as a finite number (the same rules and messages).
  double number(size_t row, size_t index) const;
};

// Parses CSV text; `name` is what error messages call it.
CsvTable parse_csv(std::string_view text, const std::string& name);
// Reads and parses a CSV file.
CsvTable read_csv(const std::string& path);

}  // namespace ag::data
