// libFuzzer target: ag::data's CSV reader on arbitrary bytes (see docs/fuzzing.md): quotes opened
// and never closed, stray quotes, "\r" alone, NUL bytes, ragged rows, anything in a number's place.
//
// parse_csv must return a table or throw ag::Error. A table it returns has a row of header.size()
// cells for every record after the header, each on a later line than the one before; reading a
// column as numbers gives finite numbers or an ag::Error.
#include <cmath>
#include <string_view>

#include "ag/core/error.h"
#include "ag/data/csv.h"

namespace {

void require(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ag::data::CsvTable table;
  try {
    table = ag::data::parse_csv(text, "input");
  } catch (const ag::Error&) {
    return 0;
  }
  require(table.rows.size() == table.lines.size());
  for (size_t r = 0; r < table.rows.size(); ++r) {
    require(table.rows[r].size() == table.header.size());
    require(table.lines[r] >= 2 && (r == 0 || table.lines[r] > table.lines[r - 1]));
  }
  for (size_t c = 0; c < table.header.size(); ++c) {
    require(table.column(table.header[c]) == c);
    try {
      for (double value : table.numbers(c)) require(std::isfinite(value));
    } catch (const ag::Error&) {
    }
  }
  return 0;
}
