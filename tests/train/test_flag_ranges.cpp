// The ranges of the flags every training program has: --threads (at most 8 a core; 100000 crashed
// inside libgomp), --max-time and --seed (which a checkpoint must be able to read back).
#include <catch2/catch.hpp>

#include <limits>

#include "ag/core/error.h"
#include "ag/core/parallel.h"
#include "ag/train/flag_ranges.h"

using namespace ag;

TEST_CASE("flag ranges: --threads is 0 or up to 8 a core, and set_num_threads refuses absurd counts", "[train]") {
  CHECK_NOTHROW(check_threads_flag(0));
  CHECK_NOTHROW(check_threads_flag(max_useful_threads()));
  CHECK(max_useful_threads() >= 8);
  CHECK(max_useful_threads() <= kMaxThreads);
  CHECK_THROWS_WITH(check_threads_flag(max_useful_threads() + 1),
                    Catch::Contains("--threads") && Catch::Contains("at most 8 threads per core"));
  CHECK_THROWS_WITH(check_threads_flag(-1), Catch::Contains("--threads (-1) must be in [0, "));
  const int before = get_num_threads();
  CHECK_THROWS_WITH(set_num_threads(100000), Catch::Contains("at most 4096, got 100000"));
  CHECK(get_num_threads() == before);
}

TEST_CASE("flag ranges: --max-time and --seed", "[train]") {
  CHECK_NOTHROW(train::check_max_time_flag(0));
  CHECK_NOTHROW(train::check_max_time_flag(3600));
  CHECK_THROWS_WITH(train::check_max_time_flag(-1), Catch::Contains("--max-time (-1) must be in [0, 1e9]"));
  CHECK_THROWS_WITH(train::check_max_time_flag(std::numeric_limits<double>::infinity()), Catch::Contains("--max-time (inf)"));
  CHECK_THROWS_AS(train::check_max_time_flag(std::numeric_limits<double>::quiet_NaN()), ag::Error);
  CHECK_NOTHROW(train::check_seed_flag(std::numeric_limits<int64_t>::max()));
  CHECK_THROWS_WITH(train::check_seed_flag(std::numeric_limits<uint64_t>::max()),
                    Catch::Contains("--seed (18446744073709551615) must be in [0, 9223372036854775807]"));
}
