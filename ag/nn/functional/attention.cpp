// Scaled dot-product attention: two batched matmuls around the fused attention_softmax, whose
// forward (nn/kernels/attention.h) and backward are both here.
#include "ag/nn/functional/attention.h"

#include <cmath>
#include <limits>

#include "ag/core/autograd/function.h"
#include "ag/core/factory.h"
#include "ag/core/kernels/softmax.h"
#include "ag/core/ops.h"
#include "ag/nn/kernels/attention.h"

namespace ag::nn::functional {

namespace {

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
    kernels::attention_softmax_forward<T>(y.data_ptr<T>(), x.data_ptr<T>(), b.defined() ? b.data_ptr<T>() : nullptr,
                                          offsets.data(), b.defined() ? b.stride(-1) : 0, rows, L, S,
                                          static_cast<T>(scale), is_causal);
  });
  const bool grad_bias = bias.defined() && bias.requires_grad();
  return record("AttentionSoftmaxBackward", {scores, bias}, y,
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
