// Grad mode: whether ops record the graph. `ag::NoGradGuard` turns recording off for a scope, as in
// libtorch; use it for evaluation, for parameter updates, and inside backward itself.
#pragma once
#include "ag/core/flag_guard.h"

namespace ag {

struct GradMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

struct NoGradGuard : FlagGuard<GradMode::is_enabled, GradMode::set_enabled> {
  NoGradGuard() : FlagGuard(false) {}
};

}  // namespace ag
