// The fused middle of attention: from raw scores to attention weights in one pass per row,
//     y = softmax(scale * x + bias)   with an optional causal mask,
// where x = q k^T comes from a batched gemm. Doing scale, bias, causal mask and softmax together
// reads and writes the (rows, S) scores once instead of four times.
//
// Rows are the query positions of every (batch, head): row r is query l = r % L. A key position s is
// hidden from query l when the bias there is -inf or, with `causal`, when s > l (PyTorch's
// is_causal: the mask is the lower triangle of an (L,S) matrix, aligned top-left).
//
// A row that sees no key at all (every entry -inf) gets all-zero weights, not NaN: softmax over an
// empty set is taken to be the zero vector. The backward, dx_i = y_i (dy_i - sum_j dy_j y_j)
// (core/kernels/softmax.h's softmax_backward, reused as is), then gives zero there too.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "ag/core/kernels/fast_math.h"
#include "ag/core/kernels/reference.h"
#include "ag/core/kernels/strided_loop.h"

namespace ag::kernels {

// y, x: (rows, S) contiguous. bias: null, or row r starts at bias + bias_row_offset[r] with
// consecutive keys bias_col_stride apart (0 when the bias is broadcast along keys).
template <typename T>
void attention_softmax_forward(T* y, const T* x, const T* bias, const int64_t* bias_row_offset,
                               int64_t bias_col_stride, int64_t rows, int64_t L, int64_t S, T scale,
                               bool causal) {
  if (reference_kernels_enabled())
    return reference::attention_softmax_forward(y, x, bias, bias_row_offset, bias_col_stride, rows, L, S, scale, causal);
  constexpr T neg_inf = -std::numeric_limits<T>::infinity();
#pragma omp parallel for schedule(static) if (rows * S >= kParallelGrain)
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * S;
    T* yr = y + r * S;
    const T* br = bias ? bias + bias_row_offset[r] : nullptr;
    const int64_t visible = causal ? std::min(S, r % L + 1) : S;  // keys [0, visible) may be seen
    // Scores first, in a loop of its own per bias layout so that each one vectorizes.
    if (!br) {
#pragma omp simd
      for (int64_t s = 0; s < visible; ++s) yr[s] = scale * xr[s];
    } else if (bias_col_stride == 1) {
#pragma omp simd
      for (int64_t s = 0; s < visible; ++s) yr[s] = scale * xr[s] + br[s];
    } else {
      for (int64_t s = 0; s < visible; ++s) yr[s] = scale * xr[s] + br[s * bias_col_stride];
    }
    T m = neg_inf;
#pragma omp simd reduction(max : m)
    for (int64_t s = 0; s < visible; ++s) m = yr[s] > m ? yr[s] : m;
    if (m == neg_inf) {  // nothing to attend to
      std::fill(yr, yr + S, T(0));
      continue;
    }
    T total = 0;
#pragma omp simd reduction(+ : total)
    for (int64_t s = 0; s < visible; ++s) {
      yr[s] = fast_exp(yr[s] - m);
      total += yr[s];
    }
    const T inv = T(1) / total;
#pragma omp simd
    for (int64_t s = 0; s < visible; ++s) yr[s] *= inv;
    std::fill(yr + visible, yr + S, T(0));
  }
}

}  // namespace ag::kernels
