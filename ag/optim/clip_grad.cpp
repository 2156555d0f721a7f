// clip_grad_norm_ and clip_grad_value_: see clip_grad.h for the semantics.
#include "ag/optim/clip_grad.h"

#include <algorithm>
#include <cmath>

#include "ag/core/autograd/grad_mode.h"
#include "ag/core/kernels/strided_loop.h"
#include "ag/core/ops.h"

namespace ag::optim {

namespace {

// max that keeps a NaN, as torch.max: the infinity norm of a gradient holding NaN is NaN.
double nan_max(double a, double b) { return std::isnan(a) || a > b ? a : b; }

// Combines term(g[i]) over a gradient with `combine` (+ for a sum, nan_max for a maximum), in
// double. The elements are split into fixed chunks whose results are combined in order, so any
// number of threads gives the same bits (an OpenMP reduction combines in whatever order threads
// finish); inside a chunk, kLanes independent accumulators let the adds overlap and vectorize
// instead of each waiting for the previous one.
template <typename T, typename Term, typename Combine>
double reduce_grad(const T* g, int64_t n, Term term, Combine combine) {
  constexpr int kLanes = 8;
  const int64_t chunk = kernels::kParallelGrain, chunks = (n + chunk - 1) / chunk;
  std::vector<double> partial(chunks, 0.0);
#pragma omp parallel for if (chunks > 1)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t end = std::min(n, (c + 1) * chunk);
    int64_t i = c * chunk;
    double lanes[kLanes] = {};
    for (; i + kLanes <= end; i += kLanes)
      for (int k = 0; k < kLanes; ++k) lanes[k] = combine(lanes[k], term(static_cast<double>(g[i + k])));
    double acc = 0;
    for (; i < end; ++i) acc = combine(acc, term(static_cast<double>(g[i])));
    for (double lane : lanes) acc = combine(acc, lane);
    partial[c] = acc;
  }
  double total = 0;
  for (double part : partial) total = combine(total, part);
  return total;
}

// sum |g|^p over a gradient, or max |g| when p is infinite.
template <typename T>
double norm_part(const T* g, int64_t n, double p) {
  auto plus = [](double a, double b) { return a + b; };
  if (std::isinf(p)) return reduce_grad(g, n, [](double x) { return std::abs(x); }, [](double a, double b) { return nan_max(a, b); });
  if (p == 2) return reduce_grad(g, n, [](double x) { return x * x; }, plus);
  return reduce_grad(g, n, [p](double x) { return std::pow(std::abs(x), p); }, plus);
}

}  // namespace

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  AG_CHECK(norm_type > 0, "clip_grad_norm_: norm_type must be > 0 (2 for the Euclidean norm, INFINITY for "
           "the largest element), got {}", norm_type);
  AG_CHECK(max_norm >= 0, "clip_grad_norm_: max_norm must be >= 0, got {}", max_norm);
  NoGradGuard no_grad;
  std::vector<Tensor> grads;
  double sum = 0;
  int64_t first_nonfinite = -1;
  for (size_t i = 0; i < parameters.size(); ++i) {
    const Tensor& grad = parameters[i].grad();
    if (!grad.defined()) continue;
    Tensor g = grad.contiguous();
    double part = dispatch_floating(g.dtype(), "clip_grad_norm_", [&]<typename T>() {
      return norm_part<T>(g.data_ptr<T>(), g.numel(), norm_type);
    });
    if (!std::isfinite(part) && first_nonfinite < 0) first_nonfinite = static_cast<int64_t>(i);
    sum = std::isinf(norm_type) ? nan_max(sum, part) : sum + part;
    grads.push_back(grad);
  }
  double total = std::isinf(norm_type) ? sum : norm_type == 2 ? std::sqrt(sum) : std::pow(sum, 1 / norm_type);
  AG_CHECK(std::isfinite(total) || !error_if_nonfinite, "clip_grad_norm_: the total {}-norm of the gradients "
           "is {}{}, so it cannot be clipped. Look for a diverging loss or a bad input; to scale the "
           "gradients by the non-finite norm anyway (PyTorch's behaviour), pass error_if_nonfinite = false",
           norm_type, total, first_nonfinite >= 0 ? fmt::format(" (parameter {} of shape {} has a non-finite "
           "gradient)", first_nonfinite, shape_str(parameters[first_nonfinite].sizes())) : "");

  // min(NaN, 1) is NaN here (std::min returns its first argument unless the second is smaller).
  double clip_coef = std::min(max_norm / (total + 1e-6), 1.0);
  if (clip_coef != 1.0)
    for (Tensor& g : grads) g.mul_(clip_coef);
  return total;
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  AG_CHECK(clip_value >= 0, "clip_grad_value_: clip_value must be >= 0, got {}", clip_value);
  NoGradGuard no_grad;
  for (const Tensor& p : parameters) {
    Tensor& grad = p.mutable_grad();
    if (grad.defined()) grad.copy_(clamp(grad, -clip_value, clip_value));
  }
}

}  // namespace ag::optim
