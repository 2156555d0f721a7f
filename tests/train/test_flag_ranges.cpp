// The range of --threads, which every training program has: at most 8 a core (100000 crashed inside
// libgomp). The other shared flags' ranges are entries of each program's settings list.
#include <catch2/catch.hpp>

#include "ag/core/error.h"
#include "ag/core/parallel.h"

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
