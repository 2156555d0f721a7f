// Cross-entropy over rows of C logits with integer targets: log-softmax and the negative
// log-likelihood fused, so the (rows, C) log-probabilities are never stored.
//
// With lse = log(sum_j exp(x_j)) (computed after subtracting the row max, so exp cannot overflow),
// -log p_j = lse - x_j. With label smoothing eps the target distribution is
// q_j = (1 - eps) [j == t] + eps / C, and as PyTorch:
//   loss = sum_j q_j (-log p_j) = (1 - eps) (lse - x_t) + eps (lse - mean_j x_j)
//   dloss/dx_j = p_j - q_j = exp(x_j - lse) - eps / C - (1 - eps) [j == t]
// A row whose target is ignore_index has loss 0 and gradient 0. Forward keeps lse per row, so
// backward recomputes p from the logits instead of saving a (rows, C) softmax.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "ag/core/kernels/fast_math.h"
#include "ag/core/kernels/strided_loop.h"

namespace ag::kernels {

template <typename T>
void cross_entropy_forward(T* loss, T* lse, const T* logits, const int64_t* targets, int64_t rows, int64_t C,
                           int64_t ignore_index, double label_smoothing) {
  const T eps = T(label_smoothing);
#pragma omp parallel for schedule(static) if (rows * C >= kParallelGrain)
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = logits + r * C;
    T m = -std::numeric_limits<T>::infinity(), total = 0, x_sum = 0;
    // `omp simd reduction` lets the compiler vectorize the max and sums (it may not reorder
    // float adds on its own).
#pragma omp simd reduction(max : m)
    for (int64_t j = 0; j < C; ++j) m = xr[j] > m ? xr[j] : m;
#pragma omp simd reduction(+ : total, x_sum)
    for (int64_t j = 0; j < C; ++j) {
      total += fast_exp(xr[j] - m);
      x_sum += xr[j];
    }
    lse[r] = m + std::log(total);
    const int64_t t = targets[r];
    loss[r] = t == ignore_index ? T(0) : (1 - eps) * (lse[r] - xr[t]) + eps * (lse[r] - x_sum / C);
  }
}

// dlogits = dloss[r] * (p - q) per row; dloss holds each row's upstream gradient.
template <typename T>
void cross_entropy_backward(T* dlogits, const T* dloss, const T* logits, const T* lse, const int64_t* targets,
                            int64_t rows, int64_t C, int64_t ignore_index, double label_smoothing) {
  const T eps = T(label_smoothing);
#pragma omp parallel for schedule(static) if (rows * C >= kParallelGrain)
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = logits + r * C;
    T* dxr = dlogits + r * C;
    const int64_t t = targets[r];
    if (t == ignore_index) {
      std::fill(dxr, dxr + C, T(0));
      continue;
    }
    const T scale = dloss[r], shift = lse[r], uniform = eps / C;
#pragma omp simd
    for (int64_t j = 0; j < C; ++j) dxr[j] = scale * (fast_exp(xr[j] - shift) - uniform);
    dxr[t] -= dloss[r] * (1 - eps);
  }
}

}  // namespace ag::kernels
