// matmul: 2-D and batched through OpenBLAS gemm, with NumPy broadcasting of the batch dims.
//
//   (m,k) x (k,n) -> (m,n)            one gemm
//   (B..,m,k) x (k,n) -> (B..,m,n)    folded into one (B*m,k) x (k,n) gemm (a Linear layer's case)
//   (B..,m,k) x (B..,k,n)             one gemm per batch element (attention's case)
//
// Backward of C = A B:  dA = dC B^T,  dB = A^T dC  (summed over broadcast batch dims).
// Transposed operands are handed to BLAS as a transpose flag with their leading dimension, so
// neither the forward nor the backward copies a matrix just to transpose it. And the backward writes
// a batched operand's gradient in that operand's memory layout, so a permuted view (attention's
// heads) gets a gradient that permutes back to contiguous.
#include <algorithm>
#include <numeric>

#include "ag/core/autograd/function.h"
#include "ag/core/kernels/gemm.h"
#include "ag/core/ops/op_util.h"

namespace ag {

namespace {

// How BLAS should read the last two dims of t: as stored (row-major, leading dim `ld`) or as the
// transpose of a row-major matrix. Returns t itself, or a contiguous copy if neither fits.
struct BlasOperand {
  Tensor tensor;
  bool trans = false;
  int64_t ld = 0;
};

BlasOperand blas_operand(const Tensor& t) {
  const int64_t rows = t.size(-2), cols = t.size(-1), s0 = t.stride(-2), s1 = t.stride(-1);
  if ((s1 == 1 || cols == 1) && (rows == 1 || s0 >= std::max<int64_t>(cols, 1)))
    return {t, false, rows == 1 ? std::max<int64_t>(cols, 1) : s0};
  if ((s0 == 1 || rows == 1) && (cols == 1 || s1 >= std::max<int64_t>(rows, 1)))
    return {t, true, cols == 1 ? std::max<int64_t>(rows, 1) : s1};
  Tensor c = t.contiguous();
  return {c, false, std::max<int64_t>(cols, 1)};
}

// An uninitialised tensor of t's shape whose dims lie in memory in the order t's do (largest
// stride outermost): for a gradient to come back in its input's layout.
Tensor empty_in_layout_of(const Tensor& t) {
  Shape order(t.dim());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return t.stride(x) > t.stride(y); });
  Shape sizes, inverse(t.dim());
  for (int64_t i = 0; i < t.dim(); ++i) {
    sizes.push_back(t.size(order[i]));
    inverse[order[i]] = i;
  }
  return empty(sizes, t.dtype()).permute(inverse);
}

// Batched gemm a (batch..,m,k) x b (batch..,k,n), broadcasting the batch dims. The output is
// contiguous, or laid out like `layout` (same shape as the output) when given and each (m,n)
// product can be written there row-major or column-major.
Tensor batched_matmul(const Tensor& a, const Tensor& b, const Tensor& layout = Tensor()) {
  const int64_t m = a.size(-2), k = a.size(-1), n = b.size(-1);
  Shape batch = detail::broadcast_shapes(Shape(a.sizes().begin(), a.sizes().end() - 2),
                                         Shape(b.sizes().begin(), b.sizes().end() - 2), "matmul");
  Shape ea = batch, eb = batch, out_shape = batch;
  ea.insert(ea.end(), {m, k});
  eb.insert(eb.end(), {k, n});
  out_shape.insert(out_shape.end(), {m, n});
  BlasOperand A = blas_operand(a.expand(ea)), B = blas_operand(b.expand(eb));
  Tensor out = layout.defined() ? empty_in_layout_of(layout) : Tensor();
  // Column-major products are written as C^T = B^T A^T.
  const bool row_major = out.defined() && out.stride(-1) == 1 && out.stride(-2) >= std::max<int64_t>(n, 1);
  const bool col_major =
      out.defined() && !row_major && out.stride(-2) == 1 && out.stride(-1) >= std::max<int64_t>(m, 1);
  if (!row_major && !col_major) out = empty(out_shape, a.dtype());
  const int64_t ldc = col_major ? out.stride(-1) : row_major ? out.stride(-2) : std::max<int64_t>(n, 1);
  const int64_t count = numel_of(batch), nb = static_cast<int64_t>(batch.size());
  dispatch_floating(a.dtype(), "matmul", [&]<typename T>() {
    const T* pa = A.tensor.data_ptr<T>();
    const T* pb = B.tensor.data_ptr<T>();
    T* pc = out.data_ptr<T>();
    auto product = [&](int64_t i) {
      int64_t oa = 0, ob = 0, oc = 0, rest = i;  // offsets of batch element i in each operand
      for (int64_t d = nb - 1; d >= 0; --d) {
        int64_t idx = rest % batch[d];
        rest /= batch[d];
        oa += idx * A.tensor.stride(d);
        ob += idx * B.tensor.stride(d);
        oc += idx * out.stride(d);
      }
      if (col_major)
        kernels::gemm(!B.trans, !A.trans, n, m, k, T(1), pb + ob, B.ld, pa + oa, A.ld, T(0), pc + oc, ldc);
      else
        kernels::gemm(A.trans, B.trans, m, n, k, T(1), pa + oa, A.ld, pb + ob, B.ld, T(0), pc + oc, ldc);
    };
    // Many small products (attention's, per batch and head) are spread over the threads, each on
    // one: OpenBLAS would run each of them on one thread anyway (below 64^3 multiply-adds it does
    // not split a product), and inside this loop it knows not to. Large ones are called from outside
    // any parallel region: under an inactive one (`if` false) OpenBLAS's own region would start a
    // fresh thread team, creating and joining threads on every call. A handful of tiny products
    // (one new token's attention while sampling) stays on this thread: waking another costs more
    // than the work, and on a busy machine the wait for a descheduled thread costs far more.
    const int64_t work = m * n * k;
    if (count > 1 && work < 64 * 64 * 64 && count * work >= 64 * 64 * 64) {
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < count; ++i) product(i);
    } else {
      for (int64_t i = 0; i < count; ++i) product(i);
    }
  });
  // Each gradient is written in its operand's layout when it needs no summing over broadcast
  // dims: attention's q, k and v are permuted views of (L,B,H,D) projections, and gradients in
  // that layout turn back into (L,B,E) without a copy.
  return record({"Mm", autograd::flops::matmul}, {a, b}, out,
                [sa = SavedTensor(a), sb = SavedTensor(b)](const Tensor& g) {
    Tensor a = sa.unpack(), b = sb.unpack();
    auto grad = [&g](const Tensor& x, const Tensor& left, const Tensor& right) {
      const bool broadcast =
          x.dim() != g.dim() || !std::equal(x.sizes().begin(), x.sizes().end() - 2, g.sizes().begin());
      return broadcast ? sum_to(matmul(left, right), x.sizes()) : batched_matmul(left, right, x);
    };
    return std::vector<Tensor>{grad(a, g, b.transpose(-1, -2)), grad(b, a.transpose(-1, -2), g)};
  });
}

}  // namespace

// bias (n) or (m,n) + (m,k) x (k,n) -> (m,n) in one gemm: the output starts as the bias and BLAS
// accumulates into it (beta = 1), so the bias costs no extra pass over the output.
// Backward: d bias = the gradient summed to the bias's shape; dA, dB as for matmul.
Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b) {
  detail::check_same_dtype(a, b, "addmm");
  detail::check_same_dtype(bias, a, "addmm");
  AG_CHECK(a.dim() == 2 && b.dim() == 2 && a.size(1) == b.size(0),
           "addmm: cannot multiply {} by {} (expects (m,k) and (k,n))", shape_str(a.sizes()), shape_str(b.sizes()));
  const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  AG_CHECK(bias.dim() <= 2 && detail::broadcast_shapes(bias.sizes(), {m, n}, "addmm") == Shape({m, n}),
           "addmm: bias of shape {} does not broadcast to the product's shape ({}, {})", shape_str(bias.sizes()), m, n);
  Tensor out = empty({m, n}, a.dtype());
  detail::copy_into(out, bias);
  BlasOperand A = blas_operand(a), B = blas_operand(b);
  dispatch_floating(a.dtype(), "addmm", [&]<typename T>() {
    kernels::gemm(A.trans, B.trans, m, n, k, T(1), A.tensor.data_ptr<T>(), A.ld, B.tensor.data_ptr<T>(), B.ld, T(1),
                  out.data_ptr<T>(), std::max<int64_t>(n, 1));
  });
  return record({"Addmm", autograd::flops::addmm}, {bias, a, b}, out,
                [sa = SavedTensor(a), sb = SavedTensor(b), bias_shape = bias.sizes()](const Tensor& g) {
                  Tensor a = sa.unpack(), b = sb.unpack();
                  // In the operands' layouts: a Linear's b is its weight's transpose, whose
                  // gradient is then the weight's shape, contiguous, with nothing to copy.
                  return std::vector<Tensor>{sum_to(g, bias_shape), batched_matmul(g, b.t(), a),
                                             batched_matmul(a.t(), g, b)};
                });
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  detail::check_same_dtype(a, b, "matmul");
  AG_CHECK(a.dim() >= 1 && b.dim() >= 1, "matmul: both operands need at least 1 dim, got shapes {} and {}",
           shape_str(a.sizes()), shape_str(b.sizes()));
  if (a.dim() == 1 && b.dim() == 1) {
    AG_CHECK(a.size(0) == b.size(0), "matmul: cannot take the dot product of {} and {}", shape_str(a.sizes()),
             shape_str(b.sizes()));
    return matmul(a.unsqueeze(0), b.unsqueeze(1)).reshape({});
  }
  if (a.dim() == 1) return matmul(a.unsqueeze(0), b).squeeze(-2);
  if (b.dim() == 1) return matmul(a, b.unsqueeze(-1)).squeeze(-1);
  AG_CHECK(a.size(-1) == b.size(-2), "matmul: cannot multiply {} by {} ({} columns vs {} rows)",
           shape_str(a.sizes()), shape_str(b.sizes()), a.size(-1), b.size(-2));
  if (b.dim() == 2 && a.dim() > 2) {
    Shape out_shape(a.sizes().begin(), a.sizes().end() - 1);
    out_shape.push_back(b.size(1));
    return matmul(a.reshape({-1, a.size(-1)}), b).reshape(out_shape);
  }
  return batched_matmul(a, b);
}

}  // namespace ag
