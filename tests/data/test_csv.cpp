// The CSV reader: quoting, line endings and blank lines, and a clear error naming the line for every
// kind of broken input.
#include <catch2/catch.hpp>

#include "ag/core/error.h"
#include "ag/data/csv.h"
#include "temp_dir.h"

using namespace ag::data;

TEST_CASE("csv: header, rows, quotes, CRLF and blank lines", "[data][csv]") {
  const CsvTable t = parse_csv("\xEF\xBB\xBFtime, value ,note\r\n1,2.5,\"a, b\"\r\n\r\n2,-3e2,\"say \"\"hi\"\"\nthere\"\n3,+4,",
                               "t.csv");
  CHECK(t.header == std::vector<std::string>{"time", "value", "note"});
  REQUIRE(t.rows.size() == 3);
  CHECK(t.rows[0][2] == "a, b");
  CHECK(t.rows[1][2] == "say \"hi\"\nthere");
  CHECK(t.rows[2][2].empty());
  CHECK(t.lines == std::vector<int64_t>{2, 4, 6});  // the blank line 3 is skipped; the quoted newline counts
  CHECK(t.numbers(t.column("value")) == std::vector<double>{2.5, -300, 4});
  CHECK_THROWS_WITH(t.column("births"), Catch::Contains("no column 'births'; the columns are time, value, note"));
}

TEST_CASE("csv: broken input fails naming the line", "[data][csv]") {
  CHECK_THROWS_WITH(parse_csv("", "e.csv"), Catch::Contains("e.csv: the file is empty"));
  CHECK_THROWS_WITH(parse_csv("\n\n", "e.csv"), Catch::Contains("the file is empty"));
  CHECK_THROWS_WITH(parse_csv("a,b\n1,2\n3\n", "r.csv"), Catch::Contains("r.csv: line 3 has 1 fields but the header has 2"));
  CHECK_THROWS_WITH(parse_csv("a,b\n1,2,3\n", "r.csv"), Catch::Contains("line 2 has 3 fields"));
  CHECK_THROWS_WITH(parse_csv("a,b\n1,\"2\n", "q.csv"), Catch::Contains("q.csv: line 2: a quoted field is never closed"));
  CHECK_THROWS_WITH(parse_csv("a,b\n1,\"2\"x\n", "q.csv"), Catch::Contains("line 2: text after the closing quote"));
  CHECK_THROWS_WITH(parse_csv("a,a\n1,2\n", "d.csv"), Catch::Contains("names column 'a' twice"));

  const CsvTable t = parse_csv("t,v\n1,1\n2,\n3,NA\n4,abc\n5,1.5x\n6,inf\n7, 7 \n", "n.csv");
  CHECK(t.number(6, 1) == 7);  // spaces around a number are fine
  CHECK_THROWS_WITH(t.number(1, 1), Catch::Contains("n.csv: line 3, column 'v': the cell is empty"));
  CHECK_THROWS_WITH(t.number(2, 1), Catch::Contains("line 4, column 'v': a missing value ('NA')"));
  CHECK_THROWS_WITH(t.number(3, 1), Catch::Contains("line 5, column 'v': 'abc' is not a finite number"));
  CHECK_THROWS_WITH(t.number(4, 1), Catch::Contains("line 6, column 'v': '1.5x' is not a finite number"));
  CHECK_THROWS_WITH(t.number(5, 1), Catch::Contains("line 7, column 'v': 'inf' is not a finite number"));
  CHECK_THROWS_WITH(t.numbers(1), Catch::Contains("line 3"));  // the first bad cell
}

TEST_CASE("csv: read_csv names a file it cannot open", "[data][csv]") {
  testing::TempDir dir;
  CHECK(read_csv(dir.write("ok.csv", "x\n1\n")).numbers(0) == std::vector<double>{1});
  CHECK_THROWS_WITH(read_csv(dir.path("missing.csv")), Catch::Contains("missing.csv: cannot open"));
}
