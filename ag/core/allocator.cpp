#include "ag/core/allocator.h"

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "ag/core/checked.h"
#include "ag/core/error.h"

namespace ag {

namespace {

constexpr size_t kAlignment = 64;                     // for aligned vector loads and BLAS
constexpr size_t kCacheLimit = size_t{2} << 30;       // 2 GiB of idle blocks at most

// Rounds up to 1, 1.25, 1.5 or 1.75 times a power of two (at least 64 bytes).
size_t size_class(size_t nbytes) {
  if (nbytes <= kAlignment) return kAlignment;
  size_t power = std::bit_floor(nbytes);
  size_t step = std::max(power / 4, kAlignment);
  return (nbytes + step - 1) / step * step;
}

struct Cache {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void*>> free_blocks;  // by size class
  size_t bytes = 0;

  void release_all() {
    for (auto& [size, blocks] : free_blocks)
      for (void* p : blocks) std::free(p);
    free_blocks.clear();
    bytes = 0;
  }
  ~Cache() { release_all(); }
};

Cache& cache() {
  static Cache instance;
  return instance;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kCaching = false;
#else
constexpr bool kCaching = true;
#endif

}  // namespace

void* allocate_storage(size_t nbytes) {
  if (nbytes == 0) return nullptr;
  // More than the machine has can only come from an absurd shape: refuse it with a clear error
  // rather than ask the system (sanitizers abort on such a request instead of returning null).
  check_fits_in_memory(nbytes, "allocating tensor storage");
  size_t size = size_class(nbytes);
  if (kCaching) {
    Cache& c = cache();
    std::lock_guard lock(c.mutex);
    auto it = c.free_blocks.find(size);
    if (it != c.free_blocks.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      c.bytes -= size;
      return p;
    }
  }
  void* p = std::aligned_alloc(kAlignment, size);
  if (!p && kCaching) {  // out of memory: give the idle blocks back and try once more
    empty_cache();
    p = std::aligned_alloc(kAlignment, size);
  }
  AG_CHECK(p != nullptr, "out of memory allocating {} bytes", nbytes);
  return p;
}

void free_storage(void* ptr, size_t nbytes) {
  if (!ptr) return;
  if (!kCaching) {
    std::free(ptr);
    return;
  }
  size_t size = size_class(nbytes);
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  if (c.bytes + size > kCacheLimit) c.release_all();
  c.free_blocks[size].push_back(ptr);
  c.bytes += size;
}

void empty_cache() {
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  c.release_all();
}

size_t cached_bytes() {
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  return c.bytes;
}

}  // namespace ag
