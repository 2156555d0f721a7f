// Scaled dot-product attention: two batched matmuls around attention_softmax, a fused op whose
// reference loop, fast kernel and autograd glue are all here, in that order.
//
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
#include "ag/nn/functional/attention.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ag/core/autograd/function.h"
#include "ag/core/factory.h"
#include "ag/core/kernels/reference.h"
#include "ag/core/kernels/softmax.h"
#include "ag/core/kernels/strided_loop.h"
#include "ag/core/ops.h"

namespace ag::nn::functional {

namespace {

// ---- reference loop: the formula one element at a time (ag::set_reference_kernels) -----------------
namespace reference {

// Attention's middle step for rows of S scores: z_s = scale x_s + bias_s, with z_s = -inf for keys
// hidden by the bias or, when causal, after the query's position l = r % L; then y = softmax(z),
// and y = 0 for a row that hides every key. The bias row r starts at bias + bias_row_offset[r],
// its keys bias_col_stride apart (bias may be null).
template <typename T>
void attention_softmax_forward(T* y, const T* x, const T* bias, const int64_t* bias_row_offset,
                               int64_t bias_col_stride, int64_t rows, int64_t L, int64_t S, T scale, bool causal) {
  constexpr T neg_inf = -std::numeric_limits<T>::infinity();
  for (int64_t r = 0; r < rows; ++r) {
    T* yr = y + r * S;
    T m = neg_inf;
    for (int64_t s = 0; s < S; ++s) {
      const bool hidden = causal && s > r % L;
      yr[s] = hidden ? neg_inf : scale * x[r * S + s] + (bias ? bias[bias_row_offset[r] + s * bias_col_stride] : T(0));
      m = std::max(m, yr[s]);
    }
    T total = 0;
    for (int64_t s = 0; s < S; ++s) total += m == neg_inf ? T(0) : std::exp(yr[s] - m);
    for (int64_t s = 0; s < S; ++s) yr[s] = m == neg_inf ? T(0) : std::exp(yr[s] - m) / total;
  }
}

}  // namespace reference

// ---- fast kernel -----------------------------------------------------------------------------------
using kernels::kParallelGrain;

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
    const T m = kernels::row_max(yr, visible);
    if (m == neg_inf) {  // nothing to attend to
      std::fill(yr, yr + S, T(0));
      continue;
    }
    const T inv = T(1) / kernels::exp_shifted(yr, yr, visible, m);
#pragma omp simd
    for (int64_t s = 0; s < visible; ++s) yr[s] *= inv;
    std::fill(yr + visible, yr + S, T(0));
  }
}

// ---- autograd glue ---------------------------------------------------------------------------------

// Where each row of `t` (every index but the last) starts, in elements from t's first element.
// `t` may be any view, e.g. a (L,S) mask expanded to (B,H,L,S) with zero strides.
std::vector<int64_t> row_offsets(const Tensor& t) {
  const int64_t outer = t.dim() - 1;
  const int64_t rows = t.size(-1) ? t.numel() / t.size(-1) : 0;
  std::vector<int64_t> offsets(rows);
  std::vector<int64_t> index(outer, 0);
  int64_t offset = 0;
  for (int64_t r = 0; r < rows; ++r) {
    offsets[r] = offset;
    for (int64_t d = outer - 1; d >= 0; --d) {  // advance the row-major multi-index like an odometer
      offset += t.stride(d);
      if (++index[d] < t.size(d)) break;
      offset -= t.stride(d) * t.size(d);
      index[d] = 0;
    }
  }
  return offsets;
}

bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  for (size_t i = 1; i <= from.size(); ++i)
    if (from[from.size() - i] != 1 && from[from.size() - i] != to[to.size() - i]) return false;
  return true;
}

}  // namespace

Tensor mask_to_bias(const Tensor& hidden, Dtype dtype) {
  AG_CHECK(hidden.defined() && hidden.dtype() == kBool, "mask_to_bias: expected a bool mask");
  return masked_fill(zeros(hidden.sizes(), dtype), hidden, -std::numeric_limits<double>::infinity());
}

// Forward: the kernel. Backward: z = scale * scores + bias and y = softmax(z) give
//   dz = y (dy - sum_j dy_j y_j)   (the softmax backward; zero where y is zero, i.e. hidden keys)
//   d scores = scale * dz,   d bias = dz summed over the dims the bias was broadcast along.
Tensor attention_softmax(const Tensor& scores, const Tensor& bias, double scale, bool is_causal) {
  AG_CHECK(scores.defined() && scores.dim() >= 2, "attention_softmax: scores must be (..,L,S)");
  if (bias.defined()) {
    AG_CHECK(bias.dtype() == scores.dtype(), "attention: the float attn_mask is {} but the scores are {}",
             dtype_name(bias.dtype()), dtype_name(scores.dtype()));
    AG_CHECK(broadcasts_to(bias.sizes(), scores.sizes()),
             "attention: attn_mask of shape {} does not broadcast to the attention scores (..,L,S) {}",
             shape_str(bias.sizes()), shape_str(scores.sizes()));
  }
  const Tensor x = scores.contiguous();
  const int64_t L = x.size(-2), S = x.size(-1), rows = S ? x.numel() / S : 0;
  const Tensor b = bias.defined() ? bias.expand(x.sizes()) : Tensor();
  const std::vector<int64_t> offsets = b.defined() ? row_offsets(b) : std::vector<int64_t>();
  Tensor y = empty(x.sizes(), x.dtype());
  dispatch_floating(x.dtype(), "attention_softmax", [&]<typename T>() {
    attention_softmax_forward<T>(y.data_ptr<T>(), x.data_ptr<T>(), b.defined() ? b.data_ptr<T>() : nullptr,
                                          offsets.data(), b.defined() ? b.stride(-1) : 0, rows, L, S,
                                          static_cast<T>(scale), is_causal);
  });
  const bool grad_bias = bias.defined() && bias.requires_grad();
  return record({"AttentionSoftmax", autograd::flops::per_output<5>}, {scores, bias}, y,
                [sy = SavedTensor(y), scale, grad_bias, bias_shape = bias.defined() ? bias.sizes() : Shape()](
                    const Tensor& grad) {
                  Tensor y = sy.unpack(), dy = grad.contiguous();
                  Tensor dz = empty(y.sizes(), y.dtype());
                  const int64_t n = y.size(-1), rows = n ? y.numel() / n : 0;
                  dispatch_floating(y.dtype(), "attention_softmax", [&]<typename T>() {
                    kernels::softmax_backward<T>(dz.data_ptr<T>(), y.data_ptr<T>(), dy.data_ptr<T>(), rows, n,
                                                 false);
                  });
                  return std::vector<Tensor>{scale == 1 ? dz : mul(dz, scale),
                                             grad_bias ? sum_to(dz, bias_shape) : Tensor()};
                });
}

std::tuple<Tensor, Tensor> scaled_dot_product_attention_with_weights(const Tensor& q, const Tensor& k,
                                                                     const Tensor& v, const Tensor& attn_mask,
                                                                     double dropout_p, bool is_causal,
                                                                     std::optional<double> scale) {
  AG_CHECK(q.defined() && k.defined() && v.defined(), "scaled_dot_product_attention: q, k and v must be defined");
  AG_CHECK(q.dim() >= 2 && k.dim() >= 2 && v.dim() >= 2,
           "scaled_dot_product_attention: q, k and v need shapes (..,L,E), (..,S,E), (..,S,Ev); got {}, {}, {}",
           shape_str(q.sizes()), shape_str(k.sizes()), shape_str(v.sizes()));
  AG_CHECK(q.size(-1) == k.size(-1),
           "scaled_dot_product_attention: q {} and k {} must have the same last dim (the embedding E)",
           shape_str(q.sizes()), shape_str(k.sizes()));
  AG_CHECK(k.size(-2) == v.size(-2),
           "scaled_dot_product_attention: k {} and v {} must have the same number of keys S (dim -2)",
           shape_str(k.sizes()), shape_str(v.sizes()));
  Tensor bias;
  if (attn_mask.defined())
    bias = attn_mask.dtype() == kBool ? mask_to_bias(logical_not(attn_mask), q.dtype()) : attn_mask;
  const double s = scale.value_or(1.0 / std::sqrt(static_cast<double>(q.size(-1))));
  Tensor scores = matmul(q, k.transpose(-2, -1));  // (..,L,E) x (..,E,S) -> (..,L,S)
  Tensor weights = dropout(attention_softmax(scores, bias, s, is_causal), dropout_p);
  return {matmul(weights, v), weights};  // (..,L,S) x (..,S,Ev) -> (..,L,Ev)
}

Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& attn_mask,
                                    double dropout_p, bool is_causal, std::optional<double> scale) {
  return std::get<0>(scaled_dot_product_attention_with_weights(q, k, v, attn_mask, dropout_p, is_causal, scale));
}

}  // namespace ag::nn::functional
