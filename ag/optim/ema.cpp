// ExponentialMovingAverage: the update and swap loops over raw pointers (see ema.h for the maths).
#include "ag/optim/ema.h"

#include <algorithm>
#include <utility>

#include "ag/core/autograd/grad_mode.h"
#include "ag/core/kernels/strided_loop.h"

namespace ag::optim {

namespace {

// shadow = d * shadow + (1 - d) * param over n elements.
template <typename T>
void ema_update(T* shadow, const T* param, int64_t n, double d) {
  const T keep = static_cast<T>(d), take = static_cast<T>(1 - d);
#pragma omp parallel for if (n >= kernels::kParallelGrain)
  for (int64_t i = 0; i < n; ++i) shadow[i] = keep * shadow[i] + take * param[i];
}

}  // namespace

ExponentialMovingAverage::ExponentialMovingAverage(std::vector<Tensor> parameters, double decay, bool warmup)
    : parameters_(std::move(parameters)), decay_(decay), warmup_(warmup) {
  AG_CHECK(decay >= 0 && decay <= 1, "ExponentialMovingAverage: decay must be in [0, 1] (e.g. 0.9999), got {}",
           decay);
  NoGradGuard no_grad;
  for (const Tensor& p : parameters_) {
    AG_CHECK(p.defined() && is_floating(p.dtype()) && p.is_contiguous(), "ExponentialMovingAverage: "
             "parameters must be contiguous float32 or float64 tensors");
    shadow_.push_back(p.detach().clone());
  }
}

void ExponentialMovingAverage::update() {
  AG_CHECK(!applied_, "ExponentialMovingAverage.update: the averages are applied to the parameters; call "
           "restore() before training on");
  auto n = static_cast<double>(num_updates_);
  double d = warmup_ ? std::min(decay_, (1 + n) / (10 + n)) : decay_;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    const Tensor& p = parameters_[i];
    dispatch_floating(p.dtype(), "ExponentialMovingAverage.update", [&]<typename T>() {
      ema_update<T>(shadow_[i].data_ptr<T>(), p.data_ptr<T>(), p.numel(), d);
    });
  }
  ++num_updates_;
}

void ExponentialMovingAverage::swap() {
  for (size_t i = 0; i < parameters_.size(); ++i) {
    const Tensor& p = parameters_[i];
    dispatch_floating(p.dtype(), "ExponentialMovingAverage.swap", [&]<typename T>() {
      std::swap_ranges(p.data_ptr<T>(), p.data_ptr<T>() + p.numel(), shadow_[i].data_ptr<T>());
    });
    // Written through raw pointers: bump the versions so autograd sees saved tensors go stale.
    p.impl()->storage->bump_version();
    shadow_[i].impl()->storage->bump_version();
  }
  applied_ = !applied_;
}

void ExponentialMovingAverage::apply_to() {
  AG_CHECK(!applied_, "ExponentialMovingAverage.apply_to: the averages are already applied");
  swap();
}

void ExponentialMovingAverage::restore() {
  AG_CHECK(applied_, "ExponentialMovingAverage.restore: nothing to restore; call apply_to() first");
  swap();
}

StateDict ExponentialMovingAverage::state_dict() const {
  AG_CHECK(!applied_, "ExponentialMovingAverage.state_dict: the averages are applied to the parameters; "
           "call restore() first");
  StateDict out{{"num_updates", state_value(num_updates_)}};
  for (size_t i = 0; i < shadow_.size(); ++i) out[fmt::format("shadow.{}", i)] = shadow_[i].clone();
  return out;
}

void ExponentialMovingAverage::load_state_dict(const StateDict& state) {
  AG_CHECK(!applied_, "ExponentialMovingAverage.load_state_dict: the averages are applied to the "
           "parameters; call restore() first");
  NoGradGuard no_grad;
  StateReader in(state, "ExponentialMovingAverage.load_state_dict");
  int64_t num_updates = 0;
  in.read("num_updates", num_updates);
  std::vector<Tensor> shadow;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    std::string key = fmt::format("shadow.{}", i);
    const Tensor& t = in.tensor(key);
    AG_CHECK(t.sizes() == parameters_[i].sizes() && t.dtype() == parameters_[i].dtype(), "{}: {} is a {} tensor "
             "of shape {} but parameter {} is a {} tensor of shape {}; was the state saved from a different "
             "model?", in.who(), key, dtype_name(t.dtype()), shape_str(t.sizes()), i,
             dtype_name(parameters_[i].dtype()), shape_str(parameters_[i].sizes()));
    shadow.push_back(t.clone());
  }
  in.check_all_used();
  num_updates_ = num_updates;
  shadow_ = std::move(shadow);
}

}  // namespace ag::optim
