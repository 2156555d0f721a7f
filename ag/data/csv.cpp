// The CSV reader (see csv.h): one pass over the text, a field at a time.
#include "ag/data/csv.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>

#include "ag/core/error.h"

namespace ag::data {

namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Splits the text into records of fields; `lines` gets the line each record starts on.
class Parser {
 public:
  Parser(std::string_view text, const std::string& name) : text_(text), name_(name) {
    if (text_.starts_with("\xEF\xBB\xBF")) text_.remove_prefix(3);
  }

  void run(std::vector<std::vector<std::string>>& records, std::vector<int64_t>& lines) {
    while (pos_ < text_.size()) {
      const int64_t start_line = line_;
      std::vector<std::string> record;
      bool any_quoted = false;
      for (bool more = true; more;) {
        any_quoted |= pos_ < text_.size() && text_[pos_] == '"';
        record.push_back(field(more));
      }
      if (record.size() == 1 && record[0].empty() && !any_quoted) continue;  // a blank line
      records.push_back(std::move(record));
      lines.push_back(start_line);
    }
  }

 private:
  // Reads one field; `more` says whether another field of the same record follows (a comma).
  std::string field(bool& more) {
    if (pos_ < text_.size() && text_[pos_] == '"') return quoted(more);
    std::string out;
    more = false;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == ',') {
        more = true;
        break;
      }
      if (c == '\n') {
        ++line_;
        break;
      }
      if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') continue;  // "\r\n" ends the line next
      out += c;
    }
    return out;
  }

  std::string quoted(bool& more) {
    const int64_t opened = line_;
    std::string out;
    ++pos_;  // the opening quote
    while (true) {
      AG_CHECK(pos_ < text_.size(), "{}: line {}: a quoted field is never closed (a \" is missing)", name_, opened);
      const char c = text_[pos_++];
      if (c == '\n') ++line_;
      if (c != '"') {
        out += c;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '"') {  // "" is one quote
        out += '"', ++pos_;
        continue;
      }
      break;
    }
    if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
    AG_CHECK(pos_ >= text_.size() || text_[pos_] == ',' || text_[pos_] == '\n',
             "{}: line {}: text after the closing quote of a field (write a quote inside quotes as \"\")", name_,
             line_);
    more = pos_ < text_.size() && text_[pos_] == ',';
    if (pos_ < text_.size() && text_[pos_] == '\n') ++line_;
    if (pos_ < text_.size()) ++pos_;
    return out;
  }

  std::string_view text_;
  const std::string& name_;
  size_t pos_ = 0;
  int64_t line_ = 1;
};

}  // namespace

CsvTable parse_csv(std::string_view text, const std::string& name) {
  std::vector<std::vector<std::string>> records;
  std::vector<int64_t> lines;
  Parser(text, name).run(records, lines);
  AG_CHECK(!records.empty(), "{}: the file is empty; a CSV file starts with a header line naming its columns", name);
  CsvTable table;
  table.name = name;
  table.header = std::move(records[0]);
  for (std::string& column : table.header) column = std::string(trim(column));
  for (size_t i = 0; i < table.header.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      AG_CHECK(table.header[i] != table.header[j], "{}: line {}: the header names column '{}' twice", name, lines[0],
               table.header[i]);
  for (size_t r = 1; r < records.size(); ++r) {
    AG_CHECK(records[r].size() == table.header.size(), "{}: line {} has {} fields but the header has {} ({})", name,
             lines[r], records[r].size(), table.header.size(), fmt::join(table.header, ","));
    table.rows.push_back(std::move(records[r]));
    table.lines.push_back(lines[r]);
  }
  return table;
}

CsvTable read_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  AG_CHECK(in.good(), "{}: cannot open the file", path);
  const std::string text(std::istreambuf_iterator<char>(in), {});
  AG_CHECK(!in.bad(), "{}: reading the file failed", path);
  return parse_csv(text, path);
}

size_t CsvTable::column(const std::string& wanted) const {
  const auto it = std::find(header.begin(), header.end(), wanted);
  AG_CHECK(it != header.end(), "{}: there is no column '{}'; the columns are {}", name, wanted, fmt::join(header, ", "));
  return static_cast<size_t>(it - header.begin());
}

double CsvTable::number(size_t row, size_t index) const {
  AG_CHECK(row < rows.size() && index < header.size(), "{}: there is no cell ({}, {})", name, row, index);
  std::string_view cell = trim(rows[row][index]);
  const std::string where = fmt::format("{}: line {}, column '{}'", name, lines[row], header[index]);
  const std::string lower = lowercase(cell);
  AG_CHECK(!cell.empty(), "{}: the cell is empty; fill in the missing value or remove the row", where);
  AG_CHECK(lower != "na" && lower != "nan" && lower != "n/a" && lower != "null",
           "{}: a missing value ('{}'); fill it in or remove the row", where, cell);
  if (cell.size() > 1 && cell[0] == '+' && cell[1] != '-') cell.remove_prefix(1);  // from_chars takes no '+'
  double value = 0;
  const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  AG_CHECK(error == std::errc() && end == cell.data() + cell.size() && std::isfinite(value),
           "{}: '{}' is not a finite number", where, rows[row][index]);
  return value;
}

std::vector<double> CsvTable::numbers(size_t index) const {
  std::vector<double> out(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) out[r] = number(r, index);
  return out;
}

}  // namespace ag::data
