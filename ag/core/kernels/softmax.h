// Row-wise softmax and log-softmax over contiguous rows of length n, forward and backward, and the
// two steps of a numerically stable softmax row that nn's fused kernels (attention's softmax,
// cross-entropy) share: the row maximum, then exp(x - max) and its sum.
//
// Numerically stable: subtract the row maximum before exponentiating, so exp never overflows.
//   softmax:      y_i = exp(x_i - m) / sum_j exp(x_j - m)
//   backward:     dx_i = y_i * (dy_i - sum_j dy_j y_j)
//   log_softmax:  y_i = x_i - m - log(sum_j exp(x_j - m))
//   backward:     dx_i = dy_i - exp(y_i) * sum_j dy_j
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "ag/core/kernels/fast_math.h"
#include "ag/core/kernels/reference.h"
#include "ag/core/kernels/strided_loop.h"

namespace ag::kernels {

// `omp simd reduction` lets the compiler vectorize the max and the sums (it may not reorder float
// adds on its own).
template <typename T>
T row_max(const T* x, int64_t n) {
  T m = -std::numeric_limits<T>::infinity();
#pragma omp simd reduction(max : m)
  for (int64_t i = 0; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}

// y_i = exp(x_i - shift), returning sum_i y_i. y may be x.
template <typename T>
T exp_shifted(T* y, const T* x, int64_t n, T shift) {
  T total = 0;
#pragma omp simd reduction(+ : total)
  for (int64_t i = 0; i < n; ++i) {
    y[i] = fast_exp(x[i] - shift);
    total += y[i];
  }
  return total;
}

template <typename T>
void softmax_forward(T* y, const T* x, int64_t rows, int64_t n, bool log) {
  if (reference_kernels_enabled()) return reference::softmax_forward(y, x, rows, n, log);
#pragma omp parallel for schedule(static) if (rows * n >= kParallelGrain)
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * n;
    T* yr = y + r * n;
    T m = row_max(xr, n);
    if (m == -std::numeric_limits<T>::infinity()) m = 0;  // an all -inf row: keep exp finite
    const T total = exp_shifted(yr, xr, n, m);
    if (log) {
      T log_total = std::log(total);
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) yr[i] = xr[i] - m - log_total;
    } else {
      T inv = T(1) / total;
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) yr[i] *= inv;
    }
  }
}

template <typename T>
void softmax_backward(T* dx, const T* y, const T* dy, int64_t rows, int64_t n, bool log) {
  if (reference_kernels_enabled()) return reference::softmax_backward(dx, y, dy, rows, n, log);
#pragma omp parallel for schedule(static) if (rows * n >= kParallelGrain)
  for (int64_t r = 0; r < rows; ++r) {
    const T* yr = y + r * n;
    const T* dyr = dy + r * n;
    T* dxr = dx + r * n;
    T dot = 0;
    if (log) {
#pragma omp simd reduction(+ : dot)
      for (int64_t i = 0; i < n; ++i) dot += dyr[i];
      for (int64_t i = 0; i < n; ++i) dxr[i] = dyr[i] - fast_exp(yr[i]) * dot;
    } else {
#pragma omp simd reduction(+ : dot)
      for (int64_t i = 0; i < n; ++i) dot += dyr[i] * yr[i];
      for (int64_t i = 0; i < n; ++i) dxr[i] = yr[i] * (dyr[i] - dot);
    }
  }
}

}  // namespace ag::kernels
