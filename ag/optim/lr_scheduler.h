// Learning-rate schedules, as torch.optim.lr_scheduler: each works with any optimizer, sets the lr
// of every parameter group, and saves its position with state_dict().
//
// The loop is PyTorch's: the schedule sets the lr for step 0 when it is made, and step() after each
// optimizer step moves it on:
//     Adam optimizer(model->parameters(), AdamOptions(1.0).betas({0.9, 0.98}).eps(1e-9));
//     NoamLR schedule(optimizer, 512, 4000);
//     for (...) { ...; optimizer.step(); schedule.step(); }
//
// Every schedule is a closed form lr = f(step, base_lr), where step counts the schedule.step() calls
// so far (PyTorch's last_epoch) and base_lr is the group's lr when the schedule was made. Groups
// keep their ratios: each follows the same curve scaled by its own base lr (except where a schedule
// says otherwise).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ag/optim/optimizer.h"

namespace ag::optim {

class LRScheduler {
 public:
  using Schedule = std::function<double(int64_t step, double base_lr)>;

  virtual ~LRScheduler() = default;
  // Advances one step and sets every group's lr.
  void step();
  // The lr of each group as set by the last step (or by the constructor).
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  // The schedule's closed form, e.g. to plot it.
  double lr_at(int64_t step, double base_lr) const { return schedule_(step, base_lr); }

  // {"last_epoch": int64, "base_lrs": float64 (groups)}. The schedule's own hyper-parameters are not
  // saved: make the schedule with the same arguments, then load. Loading also sets every group's lr
  // to the loaded step's value.
  StateDict state_dict() const;
  void load_state_dict(const StateDict& state);

 protected:
  // Records each group's lr as its base lr and sets the lr for step 0. `name` opens error messages.
  LRScheduler(Optimizer& optimizer, std::string name, Schedule schedule);

 private:
  void apply();  // every group's lr = schedule(last_epoch, base lr)

  Optimizer& optimizer_;
  std::string name_;
  Schedule schedule_;
  std::vector<double> base_lrs_;
  std::vector<double> last_lr_;
  int64_t last_epoch_ = 0;
};

// base_lr * factor for the first total_iters steps, then base_lr. With the defaults, a constant
// schedule (PyTorch's ConstantLR defaults to factor 1/3 for 5 steps; here the default is constant).
class ConstantLR : public LRScheduler {
 public:
  explicit ConstantLR(Optimizer& optimizer, double factor = 1.0, int64_t total_iters = 0);
};

// base_lr * gamma^floor(step / step_size), as torch.optim.lr_scheduler.StepLR.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);
};

// base_lr * lr_lambda(step), as torch.optim.lr_scheduler.LambdaLR.
class LambdaLR : public LRScheduler {
 public:
  LambdaLR(Optimizer& optimizer, std::function<double(int64_t step)> lr_lambda);
};

// "Noam", from "Attention Is All You Need" (Vaswani et al., 2017, section 5.3): linear warmup, then
// decay with the inverse square root of the step:
//     lr = base_lr * factor * d_model^-0.5 * min(s^-0.5, s * warmup_steps^-1.5),  s = max(step, 1)
// With base_lr = 1 (make the optimizer with lr 1) this is the paper's rate. Step 0 counts as step 1,
// as in The Annotated Transformer, so the first update does not have lr 0.
class NoamLR : public LRScheduler {
 public:
  NoamLR(Optimizer& optimizer, int64_t d_model, int64_t warmup_steps, double factor = 1.0);
};

// Linear warmup, then half a cosine down to a floor, then the floor (cosine decay from Loshchilov &
// Hutter, "SGDR", 2017):
//     step < warmup_steps:  lr = base_lr * (step + 1) / warmup_steps
//     afterwards:           lr = min_lr + (base_lr - min_lr) * (1 + cos(pi * q)) / 2,
//                           q = min(1, (step - warmup_steps) / (total_steps - warmup_steps))
// The warmup counts the update about to be taken from 1, so the first update has base_lr /
// warmup_steps rather than 0 (Hugging Face's get_cosine_schedule_with_warmup starts at 0 and wastes
// it). min_lr is absolute and the same for every group, as PyTorch's CosineAnnealingLR eta_min.
class WarmupCosineLR : public LRScheduler {
 public:
  WarmupCosineLR(Optimizer& optimizer, int64_t warmup_steps, int64_t total_steps, double min_lr = 0.0);
};

}  // namespace ag::optim
