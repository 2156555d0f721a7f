// Reference kernels: the plain loops that ag's fast kernels speed up. Read these first.
//
// Each is the textbook formula, one element at a time, single-threaded, with the same signature as
// the fast kernel it stands for:
//   gemm                  core/kernels/gemm.h (OpenBLAS)         matmul, and Linear's addmm
//   softmax_*             core/kernels/softmax.h (vectorized)    softmax, log_softmax
// nn's fused ops keep their reference loops beside their fast kernels, one op in one file
// (ag/nn/functional/layer_norm.cpp, attention.cpp), and consult the same switch.
// ag::set_reference_kernels(true), or AG_REFERENCE_KERNELS=1 in the environment, makes each fast
// kernel hand its work to the reference here, so a model can be run both ways and compared: when
// they disagree, the fast kernel is wrong (tests/core/test_reference_kernels.cpp and
// tests/nn/test_reference_kernels_nn.cpp check they agree, float64 to rounding, float32 to 1e-5).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "ag/core/flag_guard.h"

namespace ag {

// On for every thread while set; starts as AG_REFERENCE_KERNELS says.
void set_reference_kernels(bool enabled);
bool reference_kernels_enabled();

// Sets the switch for a scope and restores it after: { ag::ReferenceKernelsGuard plain; model(x); }
struct ReferenceKernelsGuard : FlagGuard<reference_kernels_enabled, set_reference_kernels> {
  explicit ReferenceKernelsGuard(bool enabled = true) : FlagGuard(enabled) {}
};

}  // namespace ag

namespace ag::kernels::reference {

// C (m,n) = alpha * op(A) op(B) + beta * C, row-major, where op(A) is A (m,k) with rows lda apart,
// or with trans_a the transpose of a stored (k,m) matrix; the same for B (k,n). Each C[i][j] is the
// dot product of row i of op(A) with column j of op(B). With beta = 0, C's old contents are ignored.
template <typename T>
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
          const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      T dot = 0;
      for (int64_t p = 0; p < k; ++p) {
        const T a_ip = trans_a ? a[p * lda + i] : a[i * lda + p];
        const T b_pj = trans_b ? b[j * ldb + p] : b[p * ldb + j];
        dot += a_ip * b_pj;
      }
      T& out = c[i * ldc + j];
      out = beta == T(0) ? alpha * dot : alpha * dot + beta * out;
    }
  }
}

// Each row of n: softmax y_i = exp(x_i - m) / sum_j exp(x_j - m), m the row's max (so exp cannot
// overflow), or log_softmax y_i = x_i - m - log(sum_j exp(x_j - m)). A row of -inf has m = 0.
template <typename T>
void softmax_forward(T* y, const T* x, int64_t rows, int64_t n, bool log) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * n;
    T* yr = y + r * n;
    T m = -std::numeric_limits<T>::infinity();
    for (int64_t i = 0; i < n; ++i) m = std::max(m, xr[i]);
    if (m == -std::numeric_limits<T>::infinity()) m = 0;
    T total = 0;
    for (int64_t i = 0; i < n; ++i) total += std::exp(xr[i] - m);
    for (int64_t i = 0; i < n; ++i) yr[i] = log ? xr[i] - m - std::log(total) : std::exp(xr[i] - m) / total;
  }
}

// softmax: dx_i = y_i (dy_i - sum_j dy_j y_j);  log_softmax: dx_i = dy_i - exp(y_i) sum_j dy_j.
template <typename T>
void softmax_backward(T* dx, const T* y, const T* dy, int64_t rows, int64_t n, bool log) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* yr = y + r * n;
    const T* dyr = dy + r * n;
    T* dxr = dx + r * n;
    T dot = 0;
    for (int64_t i = 0; i < n; ++i) dot += log ? dyr[i] : dyr[i] * yr[i];
    for (int64_t i = 0; i < n; ++i) dxr[i] = log ? dyr[i] - std::exp(yr[i]) * dot : yr[i] * (dyr[i] - dot);
  }
}

}  // namespace ag::kernels::reference
