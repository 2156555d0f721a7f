// run_program: a program's errors become one line on stderr and exit code 1, never a crash.
#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>

#include "ag/core/error.h"
#include "ag/train/run_program.h"

using ag::train::run_program;

TEST_CASE("run_program passes the body's exit code through", "[train]") {
  std::ostringstream err;
  CHECK(run_program("prog", err, [] { return 0; }) == 0);
  CHECK(run_program("prog", err, [] { return 130; }) == 130);
  CHECK(err.str().empty());
}

TEST_CASE("run_program turns a user's error into its message and exit 1", "[train]") {
  std::ostringstream err;
  CHECK(run_program("prog", err, []() -> int { throw ag::Error("--lr must be positive"); }) == 1);
  CHECK(err.str() == "prog: error: --lr must be positive\n");

  std::ostringstream fs_err;
  CHECK(run_program("prog", fs_err, []() -> int {
          return static_cast<int>(std::filesystem::file_size("/nonexistent/ag-run-program-test"));
        }) == 1);
  CHECK_THAT(fs_err.str(), Catch::StartsWith("prog: error: ") && Catch::Contains("check the path"));

  std::ostringstream other;
  CHECK(run_program("prog", other, []() -> int { throw std::runtime_error("boom"); }) == 1);
  CHECK(other.str() == "prog: unexpected error: boom\n");
}
