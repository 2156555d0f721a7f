// Grad mode: whether ops record the graph. `ag::NoGradGuard` turns recording off for a scope, as in
// libtorch; use it for evaluation, for parameter updates, and inside backward itself.
#pragma once

namespace ag {

struct GradMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

class NoGradGuard {
 public:
  NoGradGuard() : previous_(GradMode::is_enabled()) { GradMode::set_enabled(false); }
  ~NoGradGuard() { GradMode::set_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace ag
