// Sum over the middle axis of a contiguous (outer, reduce, inner) block:
//   out[o, i] = sum_r x[o, r, i]
// Any reduction over adjacent dims is this shape: over the last dims inner = 1 (row sums), over
// the leading dims outer = 1 (column sums, e.g. a bias gradient over (B*T, C)).
//
// Rows are added one after another into a running sum of the inner values, so memory is read in
// order (blocks of columns that stride down the rows touch a new page every row: a (2048, 8000)
// bias gradient ran at 6 GB/s that way). With few outer blocks, the reduce axis is cut into chunks
// of kChunk rows, each summed on its own, and the partial sums are added in chunk order: the
// threads get work, and the result does not depend on how many there are.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "ag/core/kernels/strided_loop.h"

namespace ag::kernels {

// dst[i] = sum over `rows` rows of src[r * row_stride + i], for i < width.
template <typename T>
void sum_rows(T* dst, const T* src, int64_t rows, int64_t width, int64_t row_stride) {
  if (width == 1) {
    T total = 0;
#pragma omp simd reduction(+ : total)
    for (int64_t r = 0; r < rows; ++r) total += src[r * row_stride];
    *dst = total;
    return;
  }
  std::fill(dst, dst + width, T(0));
  for (int64_t r = 0; r < rows; ++r) {
    const T* row = src + r * row_stride;
#pragma omp simd
    for (int64_t i = 0; i < width; ++i) dst[i] += row[i];
  }
}

template <typename T>
void sum_middle(T* out, const T* x, int64_t outer, int64_t reduce, int64_t inner) {
  constexpr int64_t kChunk = 256, kColumns = 16384;  // rows per chunk; columns per task
  constexpr int64_t kFewOuter = 4;                     // below this many outer blocks, chunk the rows
  const int64_t chunks = outer >= kFewOuter ? 1 : std::max<int64_t>(1, (reduce + kChunk - 1) / kChunk);
  const int64_t column_blocks = (inner + kColumns - 1) / kColumns;
  std::vector<T> partial(chunks > 1 ? outer * chunks * inner : 0);
  T* sums = chunks > 1 ? partial.data() : out;  // (outer, chunks, inner)
  const int64_t tasks = outer * chunks * column_blocks;
#pragma omp parallel for schedule(static) if (outer * reduce * inner >= kParallelGrain)
  for (int64_t task = 0; task < tasks; ++task) {
    const int64_t b = task % column_blocks, c = task / column_blocks % chunks, o = task / column_blocks / chunks;
    const int64_t r0 = c * kChunk, r1 = chunks > 1 ? std::min(reduce, r0 + kChunk) : reduce;
    const int64_t i0 = b * kColumns, i1 = std::min(inner, i0 + kColumns);
    sum_rows(sums + (o * chunks + c) * inner + i0, x + (o * reduce + r0) * inner + i0, r1 - r0, i1 - i0, inner);
  }
  if (chunks == 1) return;
#pragma omp parallel for schedule(static) if (outer * chunks * inner >= kParallelGrain)
  for (int64_t task = 0; task < outer * column_blocks; ++task) {
    const int64_t o = task / column_blocks, i0 = task % column_blocks * kColumns, i1 = std::min(inner, i0 + kColumns);
    T* dst = out + o * inner;
    const T* first = sums + o * chunks * inner;
    std::copy(first + i0, first + i1, dst + i0);
    for (int64_t c = 1; c < chunks; ++c) {
      const T* part = first + c * inner;
#pragma omp simd
      for (int64_t i = i0; i < i1; ++i) dst[i] += part[i];
    }
  }
}

// Maximum and its first index along contiguous rows of length n.
template <typename T>
void max_rows(T* values, int64_t* indices, const T* x, int64_t rows, int64_t n) {
#pragma omp parallel for schedule(static) if (rows * n >= kParallelGrain)
  for (int64_t r = 0; r < rows; ++r) {
    const T* row = x + r * n;
    int64_t best = 0;
    for (int64_t i = 1; i < n; ++i)
      if (row[i] > row[best] || (row[i] != row[i] && row[best] == row[best])) best = i;  // NaN wins, as torch
    values[r] = row[best];
    indices[r] = best;
  }
}

}  // namespace ag::kernels
