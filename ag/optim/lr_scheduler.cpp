// LRScheduler and the schedules' closed forms (see lr_scheduler.h for each formula and its source).
#include "ag/optim/lr_scheduler.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "ag/core/factory.h"

namespace ag::optim {

LRScheduler::LRScheduler(Optimizer& optimizer, std::string name, Schedule schedule)
    : optimizer_(optimizer), name_(std::move(name)), schedule_(std::move(schedule)) {
  for (const ParamGroup& group : optimizer_.param_groups()) base_lrs_.push_back(group.options->get_lr());
  apply();
}

void LRScheduler::step() {
  ++last_epoch_;
  apply();
}

void LRScheduler::apply() {
  std::vector<ParamGroup>& groups = optimizer_.param_groups();
  AG_CHECK(groups.size() == base_lrs_.size(), "{}: the optimizer had {} parameter groups when the schedule "
           "was made but has {} now; make the schedule after adding every group", name_, base_lrs_.size(),
           groups.size());
  last_lr_.clear();
  for (size_t g = 0; g < groups.size(); ++g) {
    last_lr_.push_back(schedule_(last_epoch_, base_lrs_[g]));
    groups[g].options->set_lr(last_lr_.back());
  }
}

StateDict LRScheduler::state_dict() const {
  return {{"last_epoch", state_value(last_epoch_)},
          {"base_lrs", from_vector(base_lrs_, {static_cast<int64_t>(base_lrs_.size())})}};
}

void LRScheduler::load_state_dict(const StateDict& state) {
  StateReader in(state, name_ + ".load_state_dict");
  int64_t last_epoch = 0;
  in.read("last_epoch", last_epoch);
  const Tensor& base_lrs = in.tensor("base_lrs");
  AG_CHECK(base_lrs.dtype() == kFloat64 && base_lrs.sizes() == Shape{static_cast<int64_t>(base_lrs_.size())},
           "{}: base_lrs should be a float64 tensor of shape ({}) (one lr per parameter group), got a {} "
           "tensor of shape {}", in.who(), base_lrs_.size(), dtype_name(base_lrs.dtype()), shape_str(base_lrs.sizes()));
  in.check_all_used();
  last_epoch_ = last_epoch;
  base_lrs_ = base_lrs.to_vector<double>();
  apply();
}

// Each schedule's checks and closed form. The checks run before the LRScheduler constructor applies
// the schedule for step 0, so a bad argument never reaches the formula (StepLR would divide by 0).
namespace {

LRScheduler::Schedule constant_schedule(double factor, int64_t total_iters) {
  AG_CHECK(factor >= 0 && factor <= 1, "ConstantLR: factor must be in [0, 1], got {}", factor);
  AG_CHECK(total_iters >= 0, "ConstantLR: total_iters must be >= 0, got {}", total_iters);
  return [=](int64_t step, double base_lr) { return step < total_iters ? base_lr * factor : base_lr; };
}

LRScheduler::Schedule step_schedule(int64_t step_size, double gamma) {
  AG_CHECK(step_size >= 1, "StepLR: step_size must be >= 1, got {}", step_size);
  AG_CHECK(gamma >= 0, "StepLR: gamma must be >= 0, got {}", gamma);
  return [=](int64_t step, double base_lr) { return base_lr * std::pow(gamma, static_cast<double>(step / step_size)); };
}

LRScheduler::Schedule lambda_schedule(std::function<double(int64_t)> lr_lambda) {
  AG_CHECK(lr_lambda != nullptr, "LambdaLR: lr_lambda is empty; pass a function of the step");
  return [f = std::move(lr_lambda)](int64_t step, double base_lr) { return base_lr * f(step); };
}

LRScheduler::Schedule noam_schedule(int64_t d_model, int64_t warmup_steps, double factor) {
  AG_CHECK(d_model >= 1, "NoamLR: d_model must be >= 1, got {}", d_model);
  AG_CHECK(warmup_steps >= 1, "NoamLR: warmup_steps must be >= 1, got {}", warmup_steps);
  AG_CHECK(factor > 0, "NoamLR: factor must be > 0, got {}", factor);
  return [=](int64_t step, double base_lr) {
    auto s = static_cast<double>(std::max<int64_t>(step, 1));
    return base_lr * factor * std::pow(static_cast<double>(d_model), -0.5) *
           std::min(std::pow(s, -0.5), s * std::pow(static_cast<double>(warmup_steps), -1.5));
  };
}

LRScheduler::Schedule warmup_cosine_schedule(int64_t warmup_steps, int64_t total_steps, double min_lr) {
  AG_CHECK(warmup_steps >= 0, "WarmupCosineLR: warmup_steps must be >= 0, got {}", warmup_steps);
  AG_CHECK(total_steps > warmup_steps, "WarmupCosineLR: total_steps ({}) must be greater than warmup_steps "
           "({})", total_steps, warmup_steps);
  AG_CHECK(min_lr >= 0, "WarmupCosineLR: min_lr must be >= 0, got {}", min_lr);
  return [=](int64_t step, double base_lr) {
    if (step < warmup_steps) return base_lr * static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
    double q = std::min(1.0, static_cast<double>(step - warmup_steps) / static_cast<double>(total_steps - warmup_steps));
    return min_lr + (base_lr - min_lr) * (1 + std::cos(std::numbers::pi * q)) / 2;
  };
}

}  // namespace

ConstantLR::ConstantLR(Optimizer& optimizer, double factor, int64_t total_iters)
    : LRScheduler(optimizer, "ConstantLR", constant_schedule(factor, total_iters)) {}

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : LRScheduler(optimizer, "StepLR", step_schedule(step_size, gamma)) {}

LambdaLR::LambdaLR(Optimizer& optimizer, std::function<double(int64_t)> lr_lambda)
    : LRScheduler(optimizer, "LambdaLR", lambda_schedule(std::move(lr_lambda))) {}

NoamLR::NoamLR(Optimizer& optimizer, int64_t d_model, int64_t warmup_steps, double factor)
    : LRScheduler(optimizer, "NoamLR", noam_schedule(d_model, warmup_steps, factor)) {}

WarmupCosineLR::WarmupCosineLR(Optimizer& optimizer, int64_t warmup_steps, int64_t total_steps, double min_lr)
    : LRScheduler(optimizer, "WarmupCosineLR", warmup_cosine_schedule(warmup_steps, total_steps, min_lr)) {}

}  // namespace ag::optim
