// The caching allocator hands freed blocks back out instead of asking the system again, and keeps
// idle memory in proportion to what the tensors once needed at the same time.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

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

TEST_CASE("tensors of ever new sizes do not pile up idle blocks", "[allocator]") {
#if defined(__SANITIZE_ADDRESS__)
  return;
#endif
  empty_cache();
  // As a loader of varying batch shapes does: one tensor at a time, each of a size class not seen
  // before (16 KB steps up to 1 MB). Kept, their blocks would add up to 33 MB of idle memory.
  constexpr int64_t kSizes = 64, kStep = 4096;  // floats
  for (int64_t k = 1; k <= kSizes; ++k) {
    Tensor t = empty({k * kStep});
    t.fill_(1.0);
  }
  // Never more than one of them was in use at once, so what stays cached is of the order of the
  // largest (the bound is twice the peak in use).
  CHECK(cached_bytes() <= static_cast<size_t>(2 * kSizes * kStep * sizeof(float)));

  // Memory that was in use together stays cached as a whole: the next round reuses all of it.
  std::vector<Tensor> together;
  for (int64_t k = 1; k <= 8; ++k) together.push_back(empty({k * kStep}));
  std::vector<const void*> blocks;
  for (const Tensor& t : together) blocks.push_back(t.data_ptr<float>());
  together.clear();
  for (int64_t k = 8; k >= 1; --k) {
    Tensor t = empty({k * kStep});
    CHECK(std::find(blocks.begin(), blocks.end(), t.data_ptr<float>()) != blocks.end());
  }
  empty_cache();
}
