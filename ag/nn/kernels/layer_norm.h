// LayerNorm over contiguous rows of length n, forward and backward (after llm.c's
// layernorm_forward/layernorm_backward and PyTorch's native_layer_norm).
//
//   forward:  mean = sum(x) / n,  rstd = 1 / sqrt(sum((x - mean)^2) / n + eps)   (biased variance)
//             xhat = (x - mean) * rstd,  y = xhat * w + b
//   backward: with g = dy * w (or dy without affine),
//             dx = rstd * (g - mean(g) - xhat * mean(g * xhat))
//             dw += sum over rows of dy * xhat,  db += sum over rows of dy
// The dx formula is the derivative of xhat through both mean and rstd, collapsed into two row
// means. Forward saves mean and rstd per row, so backward recomputes xhat without a second pass over
// the statistics. w and b may be null (elementwise_affine = false); dw, db null when not wanted.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "ag/core/kernels/reference.h"
#include "ag/core/kernels/strided_loop.h"

namespace ag::kernels {

template <typename T>
void layer_norm_forward(T* y, T* mean, T* rstd, const T* x, const T* w, const T* b, int64_t rows, int64_t n,
                        double eps) {
  if (reference_kernels_enabled()) return reference::layer_norm_forward(y, mean, rstd, x, w, b, rows, n, eps);
#pragma omp parallel for schedule(static) if (rows * n >= kParallelGrain)
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * n;
    T* yr = y + r * n;
    // `omp simd reduction` lets the compiler vectorize the sums (it may not reorder float adds
    // on its own).
    T m = 0;
#pragma omp simd reduction(+ : m)
    for (int64_t i = 0; i < n; ++i) m += xr[i];
    m /= n;
    T v = 0;
#pragma omp simd reduction(+ : v)
    for (int64_t i = 0; i < n; ++i) v += (xr[i] - m) * (xr[i] - m);
    v /= n;
    const T s = T(1) / std::sqrt(v + T(eps));
    if (w && b) {
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) yr[i] = (xr[i] - m) * s * w[i] + b[i];
    } else {
      for (int64_t i = 0; i < n; ++i) yr[i] = (xr[i] - m) * s * (w ? w[i] : T(1)) + (b ? b[i] : T(0));
    }
    mean[r] = m;
    rstd[r] = s;
  }
}

template <typename T>
void layer_norm_backward(T* dx, T* dw, T* db, const T* dy, const T* x, const T* w, const T* mean,
                         const T* rstd, int64_t rows, int64_t n) {
  if (reference_kernels_enabled()) return reference::layer_norm_backward(dx, dw, db, dy, x, w, mean, rstd, rows, n);
  if (dx) {
#pragma omp parallel for schedule(static) if (rows * n >= kParallelGrain)
    for (int64_t r = 0; r < rows; ++r) {
      const T* xr = x + r * n;
      const T* dyr = dy + r * n;
      T* dxr = dx + r * n;
      const T m = mean[r], s = rstd[r];
      T g_mean = 0, g_xhat_mean = 0;
#pragma omp simd reduction(+ : g_mean, g_xhat_mean)
      for (int64_t i = 0; i < n; ++i) {
        const T g = dyr[i] * (w ? w[i] : T(1));
        g_mean += g;
        g_xhat_mean += g * (xr[i] - m) * s;
      }
      g_mean /= n;
      g_xhat_mean /= n;
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) {
        const T g = dyr[i] * (w ? w[i] : T(1));
        dxr[i] += s * (g - g_mean - (xr[i] - m) * s * g_xhat_mean);
      }
    }
  }
  // Parameter gradients sum over rows. Each thread owns a block of columns and walks the rows
  // through it, so reads stay contiguous and no two threads write the same dw[i].
  if (dw || db) {
    constexpr int64_t block = 64;
    const int64_t blocks = (n + block - 1) / block;
#pragma omp parallel for schedule(static) if (rows * n >= kParallelGrain)
    for (int64_t c = 0; c < blocks; ++c) {
      const int64_t begin = c * block, end = std::min(n, begin + block);
      for (int64_t r = 0; r < rows; ++r) {
        const T* xr = x + r * n;
        const T* dyr = dy + r * n;
        const T m = mean[r], s = rstd[r];
        if (dw) {
#pragma omp simd
          for (int64_t i = begin; i < end; ++i) dw[i] += dyr[i] * (xr[i] - m) * s;
        }
        if (db) {
#pragma omp simd
          for (int64_t i = begin; i < end; ++i) db[i] += dyr[i];
        }
      }
    }
  }
}

}  // namespace ag::kernels
