// The range of --threads, which every training program has: on its settings list from 0 to
// kMaxThreads (100000 crashed inside libgomp), and when the program runs, at most 8 a core. The
// other shared flags' ranges are entries of each program's settings list.
#include <catch2/catch.hpp>

#include "ag/core/error.h"
#include "ag/core/parallel.h"
#include "ag/train/settings.h"

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

TEST_CASE("flag ranges: use_threads_flag checks the count, then sets it unless it is 0", "[train]") {
  const int before = get_num_threads();
  CHECK_THROWS_WITH(use_threads_flag(-1), Catch::Contains("--threads (-1) must be in [0, "));
  CHECK_THROWS_WITH(use_threads_flag(max_useful_threads() + 1), Catch::Contains("at most 8 threads per core"));
  use_threads_flag(0);  // the default stays
  CHECK(get_num_threads() == before);
  use_threads_flag(1);
  CHECK(get_num_threads() == 1);
  set_num_threads(before);
}

namespace {

struct ThreadsOnly {
  int threads = 0;
  template <typename Self, typename Setting>
  static void settings(Self& o, Setting&& setting) {
    setting(o.threads, train::threads_setting("/run/threads", "Run"));
  }
};

}  // namespace

TEST_CASE("flag ranges: threads_setting is --threads from 0 to kMaxThreads, which --resume may change", "[train]") {
  const auto& specs = train::setting_specs<ThreadsOnly>();
  REQUIRE(specs.size() == 1);
  CHECK(specs[0].flag == "--threads");
  CHECK(specs[0].group == "Run");
  CHECK(specs[0].on_resume == train::OnResume::kMayChange);
  CHECK_NOTHROW(train::check_settings(specs, {{"run", {{"threads", kMaxThreads}}}}));
  CHECK_THROWS_WITH(train::check_settings(specs, {{"run", {{"threads", kMaxThreads + 1}}}}),
                    fmt::format("--threads must be an integer from 0 to {}, got {}", kMaxThreads, kMaxThreads + 1));
  CHECK_THROWS_WITH(train::check_settings(specs, {{"run", {{"threads", 2.5}}}}), Catch::Contains("--threads"));
}
