// gemm: C = alpha * op(A) * op(B) + beta * C through OpenBLAS, for float and double.
//
// Row-major throughout. A transposed operand is passed as a transpose flag with its leading
// dimension, never copied: a (k,m) matrix viewed as (m,k) by transpose() is BLAS's CblasTrans.
#pragma once
#include <cblas.h>

#include <concepts>
#include <cstdint>

#include "ag/core/kernels/reference.h"

namespace ag::kernels {

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
  blas_gemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha,
            a, lda, b, ldb, beta, c, ldc);
}

}  // namespace ag::kernels
