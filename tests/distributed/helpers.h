// What the distributed tests share: a small float64 model and the worst difference between tensors.
#pragma once
#include <algorithm>
#include <cmath>

#include "ag/ag.h"
#include "ag/nn/linear.h"

namespace ag::test {

// Linear(4,8) -> tanh -> Linear(8,3), float64 so that sums in another order agree to ~1e-15, plus a
// parameter `spare` that forward uses only when asked (for parameters without a gradient).
struct TinyNetImpl : nn::Module {
  explicit TinyNetImpl(int64_t hidden = 8) : Module("TinyNet") {
    fc1 = register_module("fc1", nn::Linear(4, hidden));
    fc2 = register_module("fc2", nn::Linear(hidden, 3));
    spare = register_parameter("spare", ag::ones({3}));
    to(kFloat64);
  }
  Tensor forward(const Tensor& x, bool use_spare = false) {
    Tensor y = fc2(fc1(x).tanh());
    return use_spare ? y * spare : y;
  }
  nn::Linear fc1{nullptr}, fc2{nullptr};
  Tensor spare;
};
AG_MODULE(TinyNet);

// A copy with the same weights, for computing the single-process reference.
inline TinyNet copy_of(const TinyNet& model) {
  TinyNet twin;
  twin->load_state_dict(model->state_dict());
  return twin;
}

inline double max_abs_diff(const Tensor& a, const Tensor& b) {
  const std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  double worst = x.size() == y.size() ? 0 : INFINITY;
  for (size_t i = 0; i < std::min(x.size(), y.size()); ++i) worst = std::max(worst, std::abs(x[i] - y[i]));
  return worst;
}

}  // namespace ag::test
