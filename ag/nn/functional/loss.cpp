// Losses (see loss.h). cross_entropy is a fused op, its kernels and backward below beside its glue,
// checked against log_softmax + nll_loss in tests/nn/test_loss.cpp; nll_loss and mse_loss are
// composed from ag ops, which differentiate them.
#include "ag/nn/functional/loss.h"

#include <algorithm>
#include <cmath>

#include "ag/core/autograd/function.h"
#include "ag/core/factory.h"
#include "ag/core/kernels/softmax.h"
#include "ag/core/kernels/strided_loop.h"
#include "ag/core/ops.h"

namespace ag {

Reduction reduction_from_string(const std::string& reduction, const char* op) {
  if (reduction == "none") return kNone;
  if (reduction == "mean") return kMean;
  AG_CHECK(reduction == "sum", "{}: reduction must be \"mean\", \"sum\" or \"none\", got \"{}\"", op, reduction);
  return kSum;
}

const char* reduction_name(Reduction reduction) {
  switch (reduction) {
    case Reduction::None: return "none";
    case Reduction::Sum: return "sum";
    case Reduction::Mean: break;
  }
  return "mean";
}

}  // namespace ag

namespace ag::nn::functional {

namespace {

// A class-index loss's input as (rows, C) and its target as (rows), with the target's shape for
// reduction "none". The class dim 1 of an (N,C,d1,...) input moves last (a differentiable permute).
struct ClassRows {
  Tensor input;   // (rows, C)
  Tensor target;  // (rows) int64
  Shape target_shape;
  double count = 0;  // targets that are not ignore_index: the divisor of reduction "mean"
};

ClassRows class_rows(const Tensor& input, const Tensor& target, int64_t ignore_index, const char* op) {
  AG_CHECK(input.defined() && target.defined(), "{}: the input and the target must be defined", op);
  AG_CHECK(is_floating(input.dtype()), "{}: input must be float32 or float64, got {}", op, dtype_name(input.dtype()));
  AG_CHECK(target.dtype() == kInt64, "{}: target must hold int64 class indices, got {}", op,
           dtype_name(target.dtype()));
  AG_CHECK(input.dim() >= 1, "{}: input must have a class dim, got a scalar", op);
  const bool unbatched = input.dim() == 1;
  const int64_t C = input.size(unbatched ? 0 : 1);
  Shape expected = input.sizes();
  expected.erase(expected.begin() + (unbatched ? 0 : 1));
  AG_CHECK(target.sizes() == expected,
           "{}: input {} (class dim {} of size {}) needs a target of shape {}, got {}. For (B,T,C) logits, "
           "flatten to (B*T, C) and the targets to (B*T)", op, shape_str(input.sizes()), unbatched ? 0 : 1, C,
           shape_str(expected), shape_str(target.sizes()));
  Tensor t = target.reshape({-1}).contiguous();
  const int64_t* idx = t.data_ptr<int64_t>();
  double count = 0;
  for (int64_t i = 0; i < t.numel(); ++i) {
    AG_CHECK(idx[i] == ignore_index || (idx[i] >= 0 && idx[i] < C),
             "{}: target {} at flat position {} is out of range for {} classes (and is not ignore_index {})", op,
             idx[i], i, C, ignore_index);
    count += idx[i] != ignore_index;
  }
  Tensor x = unbatched ? input.reshape({1, C}) : input;
  if (x.dim() > 2) {
    Shape order{0};
    for (int64_t d = 2; d < x.dim(); ++d) order.push_back(d);
    order.push_back(1);
    x = x.permute(order);
  }
  return {x.reshape({-1, C}), t, expected, count};
}

// Applies `reduction` to per-target losses; "mean" divides by `count` (the targets that count).
Tensor reduce(const Tensor& losses, Reduction reduction, double count, const Shape& shape) {
  switch (reduction) {
    case Reduction::None: return losses.reshape(shape);
    case Reduction::Sum: return losses.sum();
    case Reduction::Mean: break;
  }
  return losses.sum() / count;  // count 0 (all ignored) gives 0/0 = NaN, as PyTorch
}

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
using kernels::kParallelGrain;
using kernels::fast_exp;

template <typename T>
void cross_entropy_forward(T* loss, T* lse, const T* logits, const int64_t* targets, int64_t rows, int64_t C,
                           int64_t ignore_index, double label_smoothing) {
  const T eps = T(label_smoothing);
#pragma omp parallel for schedule(static) if (rows * C >= kParallelGrain)
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = logits + r * C;
    const T m = kernels::row_max(xr, C);
    T total = 0, x_sum = 0;  // exp(x - m) is summed here without being stored, beside the logits' sum
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

// (rows, C) logits -> (rows) losses, fused forward and backward.
Tensor cross_entropy_rows(const Tensor& logits, const Tensor& target, int64_t ignore_index, double smoothing) {
  Tensor x = logits.contiguous();
  const int64_t rows = x.size(0), C = x.size(1);
  Tensor loss = empty({rows}, x.dtype()), lse = empty({rows}, x.dtype());
  dispatch_floating(x.dtype(), "cross_entropy", [&]<typename T>() {
    cross_entropy_forward<T>(loss.data_ptr<T>(), lse.data_ptr<T>(), x.data_ptr<T>(),
                                      target.data_ptr<int64_t>(), rows, C, ignore_index, smoothing);
  });
  return record({"CrossEntropy", autograd::flops::per_input<5>}, {logits}, loss,
                [sx = SavedTensor(x), lse, target, ignore_index, smoothing](const Tensor& grad) {
                  Tensor x = sx.unpack(), g = grad.contiguous();
                  Tensor dx = empty(x.sizes(), x.dtype());
                  dispatch_floating(x.dtype(), "cross_entropy_backward", [&]<typename T>() {
                    cross_entropy_backward<T>(dx.data_ptr<T>(), g.data_ptr<T>(), x.data_ptr<T>(),
                                                       lse.data_ptr<T>(), target.data_ptr<int64_t>(), x.size(0),
                                                       x.size(1), ignore_index, smoothing);
                  });
                  return std::vector<Tensor>{dx};
                });
}

}  // namespace

Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& options) {
  const double smoothing = options.label_smoothing();
  AG_CHECK(smoothing >= 0.0 && smoothing <= 1.0, "cross_entropy: label_smoothing must be in [0, 1], got {}",
           smoothing);
  ClassRows rows = class_rows(input, target, options.ignore_index(), "cross_entropy");
  Tensor losses = cross_entropy_rows(rows.input, rows.target, options.ignore_index(), smoothing);
  return reduce(losses, options.reduction(), rows.count, rows.target_shape);
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, int64_t ignore_index, double label_smoothing,
                     const std::string& reduction) {
  return cross_entropy(input, target, CrossEntropyFuncOptions().ignore_index(ignore_index).label_smoothing(
      label_smoothing).reduction(reduction_from_string(reduction, "cross_entropy")));
}

Tensor nll_loss(const Tensor& log_probs, const Tensor& target, const NLLLossFuncOptions& options) {
  const int64_t ignore_index = options.ignore_index();
  ClassRows rows = class_rows(log_probs, target, ignore_index, "nll_loss");
  // Ignored rows gather class 0 (any valid index) and are then zeroed.
  std::vector<int64_t> safe_target = rows.target.to_vector<int64_t>();
  std::vector<bool> ignored(safe_target.size());
  for (size_t i = 0; i < safe_target.size(); ++i)
    if ((ignored[i] = safe_target[i] == ignore_index)) safe_target[i] = 0;
  const int64_t n = static_cast<int64_t>(safe_target.size());
  Tensor picked = gather(rows.input, 1, from_vector(safe_target, {n, 1})).squeeze(1);
  Tensor losses = neg(picked).masked_fill(from_vector(ignored, {n}), 0.0);
  return reduce(losses, options.reduction(), rows.count, rows.target_shape);
}

Tensor nll_loss(const Tensor& log_probs, const Tensor& target, int64_t ignore_index, const std::string& reduction) {
  return nll_loss(log_probs, target,
                  NLLLossFuncOptions().ignore_index(ignore_index).reduction(reduction_from_string(reduction, "nll_loss")));
}

Tensor mse_loss(const Tensor& a, const Tensor& b, const MSELossFuncOptions& options) {
  AG_CHECK(a.defined() && b.defined(), "mse_loss: both inputs must be defined");
  AG_CHECK(a.sizes() == b.sizes(), "mse_loss: input {} and target {} must have the same shape", shape_str(a.sizes()),
           shape_str(b.sizes()));
  Tensor diff = a - b;
  return reduce(diff * diff, options.reduction(), static_cast<double>(a.numel()), a.sizes());
}

Tensor mse_loss(const Tensor& a, const Tensor& b, const std::string& reduction) {
  return mse_loss(a, b, MSELossFuncOptions(reduction_from_string(reduction, "mse_loss")));
}

}  // namespace ag::nn::functional
