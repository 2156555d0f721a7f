// Sum over the middle axis of a contiguous (outer, reduce, inner) block:
//   out[o, i] = sum_r x[o, r, i]
// Any reduction over adjacent dims is this shape: over the last dims inner = 1 (row sums), over
// the leading dims outer = 1 (column sums, e.g. a bias gradient over (B*T, C)). The r loop sits
// outside the i loop so every access is sequential and the i loop vectorizes.
#pragma once
#include <algorithm>
#include <cstdint>

#include "core/kernels/strided_loop.h"

namespace ag::kernels {

template <typename T>
void sum_middle(T* out, const T* x, int64_t outer, int64_t reduce, int64_t inner) {
  constexpr int64_t kBlock = 256;  // columns per task when inner is wide
  const int64_t blocks = (inner + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) if (outer * reduce * inner >= kParallelGrain)
  for (int64_t task = 0; task < outer * blocks; ++task) {
    const int64_t o = task / blocks, i0 = (task % blocks) * kBlock, i1 = std::min(inner, i0 + kBlock);
    T* dst = out + o * inner;
    for (int64_t i = i0; i < i1; ++i) dst[i] = 0;
    for (int64_t r = 0; r < reduce; ++r) {
      const T* src = x + (o * reduce + r) * inner;
      for (int64_t i = i0; i < i1; ++i) dst[i] += src[i];
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
