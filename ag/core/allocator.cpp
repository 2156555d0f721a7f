// The caching allocator: size classes, the idle blocks in the order they were freed, and the bound
// that keeps the cache in proportion to the tensors' peak (see allocator.h).
#include "ag/core/allocator.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <list>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "ag/core/checked.h"
#include "ag/core/error.h"

namespace ag {

namespace {

constexpr size_t kAlignment = 64;  // for aligned vector loads and BLAS
// The memory held (in use plus idle) is kept under this many times the peak in use. Held to the
// peak itself, a step of new shapes finds few blocks to reuse: on Multi30k's varying batches that
// cost a quarter of the steps per minute. Twice the peak leaves room for the blocks of steps of
// other shapes.
constexpr size_t kHeadroom = 2;

// Rounds up to 1, 1.25, 1.5 or 1.75 times a power of two (at least 64 bytes).
size_t size_class(size_t nbytes) {
  if (nbytes <= kAlignment) return kAlignment;
  size_t power = std::bit_floor(nbytes);
  size_t step = std::max(power / 4, kAlignment);
  return (nbytes + step - 1) / step * step;
}

struct Block {
  void* ptr;
  size_t size;  // its size class
};
using BlockList = std::list<Block>;

// Every count is in size-class bytes, so live + cached is what the allocator holds from the system.
struct Cache {
  std::mutex mutex;
  BlockList idle;  // freed blocks, the longest idle first
  std::unordered_map<size_t, std::deque<BlockList::iterator>> by_class;  // into `idle`, oldest first
  size_t cached = 0;  // bytes in `idle`
  size_t live = 0;    // bytes handed out and not yet freed
  size_t peak = 0;    // the most `live` has been (since the last empty_cache)

  // The most recently freed block of `size`, taken out of the cache; null when there is none.
  void* take(size_t size) {
    auto it = by_class.find(size);
    if (it == by_class.end() || it->second.empty()) return nullptr;
    const BlockList::iterator block = it->second.back();
    it->second.pop_back();
    void* p = block->ptr;
    idle.erase(block);
    cached -= size;
    return p;
  }

  void hand_out(size_t size) {
    live += size;
    peak = std::max(peak, live);
  }

  // A block given back: idle, the most recently freed.
  void put(void* p, size_t size) {
    live -= size;
    idle.push_back({p, size});
    by_class[size].push_back(std::prev(idle.end()));
    cached += size;
  }

  // Takes the longest idle blocks out, oldest first, until live + cached + `incoming` is at most
  // `limit` (or the cache is empty); returns them for the caller to free outside the lock. The
  // oldest block of all is also the oldest of its class, the front of by_class's deque.
  std::vector<void*> evict_for(size_t incoming, size_t limit) {
    std::vector<void*> evicted;
    while (!idle.empty() && live + cached + incoming > limit) {
      const Block oldest = idle.front();
      by_class[oldest.size].pop_front();
      idle.pop_front();
      cached -= oldest.size;
      evicted.push_back(oldest.ptr);
    }
    return evicted;
  }

  std::vector<void*> take_all() {
    std::vector<void*> all;
    for (const Block& b : idle) all.push_back(b.ptr);
    idle.clear();
    by_class.clear();
    cached = 0;
    return all;
  }

  ~Cache() {
    for (void* p : take_all()) std::free(p);
  }
};

Cache& cache() {
  static Cache instance;
  return instance;
}

void free_all(const std::vector<void*>& blocks) {
  for (void* p : blocks) std::free(p);
}

// Frees every idle block; with `reset_peak`, the bound starts again from the memory in use now.
void release_idle(bool reset_peak) {
  Cache& c = cache();
  std::vector<void*> all;
  {
    std::lock_guard lock(c.mutex);
    all = c.take_all();
    if (reset_peak) c.peak = c.live;
  }
  free_all(all);
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
  const size_t size = size_class(nbytes);
  if (!kCaching) {
    void* p = std::aligned_alloc(kAlignment, size);
    AG_CHECK(p != nullptr, "out of memory allocating {} bytes", nbytes);
    return p;
  }
  Cache& c = cache();
  std::vector<void*> evicted;
  {
    std::lock_guard lock(c.mutex);
    if (void* p = c.take(size)) {
      c.hand_out(size);
      return p;
    }
    // A miss: the system's memory grows by `size` unless idle blocks make room. Evicting the
    // longest idle down to the bound keeps the memory held in proportion to what the tensors once
    // needed at the same time, however many shapes come and go.
    evicted = c.evict_for(size, kHeadroom * std::max(c.peak, c.live + size));
  }
  free_all(evicted);
  void* p = std::aligned_alloc(kAlignment, size);
  if (!p) {  // out of memory: give the idle blocks back and try once more
    release_idle(/*reset_peak=*/false);
    p = std::aligned_alloc(kAlignment, size);
  }
  AG_CHECK(p != nullptr, "out of memory allocating {} bytes", nbytes);
  std::lock_guard lock(c.mutex);
  c.hand_out(size);
  return p;
}

void free_storage(void* ptr, size_t nbytes) {
  if (!ptr) return;
  if (!kCaching) {
    std::free(ptr);
    return;
  }
  const size_t size = size_class(nbytes);
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  c.put(ptr, size);
}

void empty_cache() { release_idle(/*reset_peak=*/true); }

size_t cached_bytes() {
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  return c.cached;
}

}  // namespace ag
