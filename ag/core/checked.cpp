// The error paths of checked.h (kept out of line: the checks themselves are inlined into hot code).
#include "ag/core/checked.h"

#include <unistd.h>

#include "ag/core/error.h"

namespace ag {

namespace detail {

void throw_bad_size(std::string_view what, int64_t a, int64_t b, const char* op) {
  if (a < 0 || b < 0)
    throw Error(fmt::format("{}: sizes must be non-negative, got {} {} {}", what, a, op, b));
  throw Error(fmt::format("{}: {} {} {} overflows the largest size ag allows (2^60 elements)", what, a, op, b));
}

void throw_bad_shape(std::string_view what, const std::vector<int64_t>& shape) {
  for (int64_t s : shape)
    if (s < 0) throw Error(fmt::format("{}: shape ({}) has a negative size {}", what, fmt::join(shape, ", "), s));
  throw Error(fmt::format("{}: shape ({}) has more elements than ag allows (2^60)", what, fmt::join(shape, ", ")));
}

}  // namespace detail

size_t physical_memory_bytes() {
  static const size_t bytes = [] {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGE_SIZE);
    // If the system will not say, do not refuse anything here: the allocation itself is still checked.
    return pages > 0 && page_size > 0 ? static_cast<size_t>(pages) * static_cast<size_t>(page_size) : SIZE_MAX;
  }();
  return bytes;
}

void check_fits_in_memory(size_t nbytes, std::string_view what) {
  AG_CHECK(nbytes <= physical_memory_bytes(), "{}: needs {} bytes ({:.1f} GiB), more than this machine's memory "
           "({:.1f} GiB)", what, nbytes, static_cast<double>(nbytes) / (1 << 30),
           static_cast<double>(physical_memory_bytes()) / (1 << 30));
}

}  // namespace ag
