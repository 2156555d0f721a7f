// gemm: C = alpha * op(A) * op(B) + beta * C through OpenBLAS, for float and double.
//
// Row-major throughout. A transposed operand is passed as a transpose flag with its leading
// dimension, never copied: a (k,m) matrix viewed as (m,k) by transpose() is BLAS's CblasTrans.
//
// ag, not OpenBLAS, spreads a product over threads: C is cut into strips along its longer side
// (strips(): at least kMinStrip wide, at most kMaxStrips of them), each strip is one
// single-threaded OpenBLAS call, and the threads take strips as they finish their last one. Two
// reasons:
// - The same bits at any thread count. OpenBLAS cuts a product into blocks that depend on its
//   thread count, and the rows at a block's edge go through other micro-kernels that round
//   differently. The strips depend on the shape alone, so a product gives the same bits on one thread
//   or eight, and a thread count that changes with the machine's load (adaptive_threads.h) changes
//   no result. (tests/core/test_adaptive_threads.cpp)
// - A busy machine costs less. With OpenBLAS's static halves, a product waits for its slowest
//   thread; here a thread that the scheduler put aside just takes fewer strips.
// Each strip repacks the whole of the operand it does not cut (B for a strip of rows, A for a
// strip of columns), so there are few, wide strips: on the seq2seq and GPT training steps this
// costs nothing measurable against OpenBLAS's own threading, at one thread or two.
#pragma once
#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <concepts>
#include <cstdint>

#include "ag/core/adaptive_threads.h"
#include "ag/core/kernels/reference.h"

namespace ag::kernels {

inline constexpr int64_t kMinStrip = 128, kMaxStrips = 4;

// How wide the strips of a side of `length` are: kMinStrip, or wider (a multiple of 64, which
// OpenBLAS's kernels divide evenly) so that there are at most kMaxStrips.
inline int64_t strip_width(int64_t length) {
  const int64_t even = (length + kMaxStrips - 1) / kMaxStrips;
  return std::max(kMinStrip, (even + 63) / 64 * 64);
}

template <typename T>
  requires std::same_as<T, float> || std::same_as<T, double>
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
          const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  if (reference_kernels_enabled()) return reference::gemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  // BLAS names its routines by type: s(ingle) and d(ouble) precision, otherwise the same call.
  constexpr auto blas_gemm = [] {
    if constexpr (std::same_as<T, float>) return cblas_sgemm;
    else return cblas_dgemm;
  }();
  // Strip t covers rows [t * width, (t + 1) * width) of C, or those columns when C is wider than
  // tall. Row i of op(A) starts at a + i * lda, or at a + i when A is stored transposed; column j
  // of op(B) at b + j, or at b + j * ldb.
  const bool rows = m >= n;
  const int64_t side = rows ? m : n, width = strip_width(side), strips = (side + width - 1) / width;
  auto strip = [&](int64_t t) {
    const int64_t start = t * width, length = std::min(width, side - start);
    const int64_t i = rows ? start : 0, j = rows ? 0 : start;
    blas_gemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              rows ? length : m, rows ? n : length, k, alpha, a + (trans_a ? i : i * lda), lda,
              b + (trans_b ? j * ldb : j), ldb, beta, c + i * ldc + j, ldc);
  };
  if (omp_in_parallel()) {  // inside one of ag's parallel loops: OpenBLAS runs on this thread
    for (int64_t t = 0; t < strips; ++t) strip(t);
    return;
  }
  adapt_threads();  // fewer threads while other processes keep the machine busy
  if (strips == 1) {
    // Outside a parallel region OpenBLAS would split even one strip over OpenMP's threads.
    const int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    strip(0);
    omp_set_num_threads(threads);
    return;
  }
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t t = 0; t < strips; ++t) strip(t);
}

}  // namespace ag::kernels
