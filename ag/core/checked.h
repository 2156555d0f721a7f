// Checked arithmetic for sizes: the one place where ag multiplies and adds shapes, counts, offsets
// and byte sizes that may come from outside (a file, a flag, a caller's shape).
//
// A size product that overflows int64 wraps silently to a small number: a tensor of shape
// (2^58 + 63, 64) would claim 63 x 64 elements, pass every later check, and be indexed far outside
// its memory. So every such product goes through these helpers, which refuse a negative size, an
// overflow, or more elements than any tensor may have, with an ag::Error naming `what` and the values.
//
// kMaxNumel is 2^60 elements, so that the byte size of any dtype (at most 8 bytes an element) still
// fits in int64 and in size_t; check_fits_in_memory then compares a byte size with the machine's
// memory before anything is allocated.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace ag {

inline constexpr int64_t kMaxNumel = int64_t{1} << 60;

namespace detail {
[[noreturn]] void throw_bad_size(std::string_view what, int64_t a, int64_t b, const char* op);
[[noreturn]] void throw_bad_shape(std::string_view what, const std::vector<int64_t>& shape);
}  // namespace detail

// a * b for sizes a, b >= 0, or an ag::Error if either is negative or the product exceeds kMaxNumel.
inline int64_t checked_mul(int64_t a, int64_t b, std::string_view what) {
  int64_t product = 0;
  if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, &product) || product > kMaxNumel)
    detail::throw_bad_size(what, a, b, "*");
  return product;
}

// a + b for sizes or offsets a, b >= 0, or an ag::Error if either is negative or the sum overflows.
inline int64_t checked_add(int64_t a, int64_t b, std::string_view what) {
  int64_t sum = 0;
  if (a < 0 || b < 0 || __builtin_add_overflow(a, b, &sum)) detail::throw_bad_size(what, a, b, "+");
  return sum;
}

// The number of elements of `shape`: every size non-negative and the product at most kMaxNumel.
inline int64_t checked_numel(const std::vector<int64_t>& shape, std::string_view what) {
  int64_t n = 1;
  for (int64_t s : shape)
    if (s < 0 || __builtin_mul_overflow(n, s, &n) || n > kMaxNumel) detail::throw_bad_shape(what, shape);
  return n;
}

// numel elements of `element_size` bytes each, in bytes (numel <= kMaxNumel, so this cannot overflow).
inline size_t checked_nbytes(int64_t numel, size_t element_size, std::string_view what) {
  if (numel < 0 || numel > kMaxNumel || element_size > 8)
    detail::throw_bad_size(what, numel, static_cast<int64_t>(element_size), "*");
  return static_cast<size_t>(numel) * element_size;
}

// The machine's physical memory in bytes (sysconf); the most any one allocation may ask for.
size_t physical_memory_bytes();

// Throws an ag::Error naming `what` unless `nbytes` fit in the machine's memory: an absurd size from
// a file or a flag is refused before the allocation is tried (which would otherwise end in
// std::bad_alloc, or on Linux in a lazily committed block that kills the process when touched).
void check_fits_in_memory(size_t nbytes, std::string_view what);

}  // namespace ag
