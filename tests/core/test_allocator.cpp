// The caching allocator hands freed blocks back out instead of asking the system again.
#include <catch2/catch.hpp>

#include "ag/ag.h"
#include "ag/core/allocator.h"

using namespace ag;

TEST_CASE("freed tensor memory is reused by the next tensor of a similar size", "[allocator]") {
#if defined(__SANITIZE_ADDRESS__)
  return;  // sanitizer builds bypass the cache on purpose
#endif
  empty_cache();
  CHECK(cached_bytes() == 0);
  const void* first;
  {
    Tensor a = empty({1000, 1000});
    first = a.data_ptr<float>();
  }
  CHECK(cached_bytes() >= 4'000'000);
  Tensor b = empty({999, 1001});  // 3,999,996 bytes: the same size class
  CHECK(b.data_ptr<float>() == first);
  CHECK(cached_bytes() == 0);
  b = Tensor();
  empty_cache();
  CHECK(cached_bytes() == 0);
}
