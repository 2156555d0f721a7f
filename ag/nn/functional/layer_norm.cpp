// F::layer_norm whole, one op in one file: the plain reference loops, the fast kernels, and the
// autograd glue that checks the arguments, runs the forward and records the backward. Read the
// reference first: the fast kernels compute the same thing, parallel over rows and vectorized.
//
// LayerNorm over contiguous rows of length n (after llm.c's layernorm_forward/layernorm_backward
// and PyTorch's native_layer_norm):
//
//   forward:  mean = sum(x) / n,  rstd = 1 / sqrt(sum((x - mean)^2) / n + eps)   (biased variance)
//             xhat = (x - mean) * rstd,  y = xhat * w + b
//   backward: with g = dy * w (or dy without affine),
//             dx = rstd * (g - mean(g) - xhat * mean(g * xhat))
//             dw += sum over rows of dy * xhat,  db += sum over rows of dy
// The dx formula is the derivative of xhat through both mean and rstd, collapsed into two row
// means. Forward saves mean and rstd per row, so backward recomputes xhat without a second pass over
// the statistics. w and b may be null (elementwise_affine = false); dw, db null when not wanted.
#include "ag/nn/functional/layer_norm.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "ag/core/autograd/function.h"
#include "ag/core/factory.h"
#include "ag/core/kernels/reference.h"
#include "ag/core/kernels/strided_loop.h"

namespace ag::nn::functional {

namespace {

// ---- reference loops: the formulas one element at a time (ag::set_reference_kernels) ----------------
namespace reference {

// Each row of n: mean, biased variance, rstd = 1 / sqrt(var + eps), y = (x - mean) rstd w + b.
// w and b may be null (no affine); mean and rstd are kept for backward.
template <typename T>
void layer_norm_forward(T* y, T* mean, T* rstd, const T* x, const T* w, const T* b, int64_t rows, int64_t n,
                        double eps) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * n;
    T sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += xr[i];
    mean[r] = sum / n;
    T squares = 0;
    for (int64_t i = 0; i < n; ++i) squares += (xr[i] - mean[r]) * (xr[i] - mean[r]);
    rstd[r] = T(1) / std::sqrt(squares / n + T(eps));
    for (int64_t i = 0; i < n; ++i)
      y[r * n + i] = (xr[i] - mean[r]) * rstd[r] * (w ? w[i] : T(1)) + (b ? b[i] : T(0));
  }
}

// With xhat = (x - mean) rstd and g = dy w:  dx = rstd (g - mean(g) - xhat mean(g xhat)),
// dw = sum over rows of dy xhat, db = sum over rows of dy. Results are added into dx, dw, db (which
// the caller zeroes); a null output is not wanted.
template <typename T>
void layer_norm_backward(T* dx, T* dw, T* db, const T* dy, const T* x, const T* w, const T* mean, const T* rstd,
                         int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * n;
    const T* dyr = dy + r * n;
    T g_sum = 0, g_xhat_sum = 0;
    for (int64_t i = 0; i < n; ++i) {
      const T xhat = (xr[i] - mean[r]) * rstd[r], g = dyr[i] * (w ? w[i] : T(1));
      g_sum += g;
      g_xhat_sum += g * xhat;
      if (dw) dw[i] += dyr[i] * xhat;
      if (db) db[i] += dyr[i];
    }
    for (int64_t i = 0; i < n && dx; ++i) {
      const T xhat = (xr[i] - mean[r]) * rstd[r], g = dyr[i] * (w ? w[i] : T(1));
      dx[r * n + i] += rstd[r] * (g - g_sum / n - xhat * g_xhat_sum / n);
    }
  }
}

}  // namespace reference

// ---- fast kernels ----------------------------------------------------------------------------------
using kernels::kParallelGrain;

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

// ---- autograd glue ---------------------------------------------------------------------------------

void check_affine(const Tensor& t, const char* what, const Tensor& x, const Shape& normalized_shape) {
  if (!t.defined()) return;
  AG_CHECK(t.sizes() == normalized_shape, "layer_norm: {} has shape {} but normalized_shape is {}", what,
           shape_str(t.sizes()), shape_str(normalized_shape));
  AG_CHECK(t.dtype() == x.dtype(), "layer_norm: {} is {} but the input is {}", what, dtype_name(t.dtype()),
           dtype_name(x.dtype()));
}

// The raw pointer of an optional (contiguous) tensor, or null.
template <typename T>
const T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}

}  // namespace

// x (rows..., n...) -> y of the same shape; mean and rstd (rows) are kept for backward.
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                  double eps) {
  AG_CHECK(x.defined(), "layer_norm: the input is undefined");
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  AG_CHECK(k >= 1 && x.dim() >= k && Shape(x.sizes().end() - k, x.sizes().end()) == normalized_shape,
           "layer_norm: input of shape {} does not end with normalized_shape {}", shape_str(x.sizes()),
           shape_str(normalized_shape));
  check_affine(weight, "weight", x, normalized_shape);
  check_affine(bias, "bias", x, normalized_shape);

  const int64_t n = numel_of(normalized_shape), rows = n ? x.numel() / n : 0;
  Tensor xc = x.contiguous(), w = weight.defined() ? weight.contiguous() : Tensor();
  Tensor b = bias.defined() ? bias.contiguous() : Tensor();
  Tensor y = empty(x.sizes(), x.dtype()), mean = empty({rows}, x.dtype()), rstd = empty({rows}, x.dtype());
  dispatch_floating(x.dtype(), "layer_norm", [&]<typename T>() {
    layer_norm_forward<T>(y.data_ptr<T>(), mean.data_ptr<T>(), rstd.data_ptr<T>(), xc.data_ptr<T>(),
                                   data_or_null<T>(w), data_or_null<T>(b), rows, n, eps);
  });
  return record({"NativeLayerNorm", autograd::flops::per_output<8>}, {x, weight, bias}, y,
                [sx = SavedTensor(xc), sw = SavedTensor(w), mean, rstd, rows, n, normalized_shape,
                 need = std::array<bool, 3>{x.requires_grad(), weight.defined() && weight.requires_grad(),
                                            bias.defined() && bias.requires_grad()}](const Tensor& grad) {
                  Tensor x = sx.unpack(), w = sw.unpack(), dy = grad.contiguous();
                  Tensor dx = need[0] ? zeros(x.sizes(), x.dtype()) : Tensor();
                  Tensor dw = need[1] ? zeros(normalized_shape, x.dtype()) : Tensor();
                  Tensor db = need[2] ? zeros(normalized_shape, x.dtype()) : Tensor();
                  dispatch_floating(x.dtype(), "layer_norm_backward", [&]<typename T>() {
                    auto out = [](Tensor& t) { return t.defined() ? t.data_ptr<T>() : nullptr; };
                    layer_norm_backward<T>(out(dx), out(dw), out(db), dy.data_ptr<T>(), x.data_ptr<T>(),
                                                    data_or_null<T>(w), mean.data_ptr<T>(), rstd.data_ptr<T>(),
                                                    rows, n);
                  });
                  return std::vector<Tensor>{dx, dw, db};
                });
}

}  // namespace ag::nn::functional
