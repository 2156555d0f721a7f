// FlagGuard: set an on/off switch for a scope and restore what it was on the way out, however the
// scope is left (return, exception). ag's switches (grad mode, anomaly mode, reference kernels) are
// each a getter and a setter; their guards are this template with a friendlier name:
//     { NoGradGuard no_grad; ... }   // FlagGuard<GradMode::is_enabled, GradMode::set_enabled>(false)
#pragma once

namespace ag {

template <bool (*Get)(), void (*Set)(bool)>
class FlagGuard {
 public:
  explicit FlagGuard(bool value) : previous_(Get()) { Set(value); }
  ~FlagGuard() { Set(previous_); }
  FlagGuard(const FlagGuard&) = delete;
  FlagGuard& operator=(const FlagGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace ag
