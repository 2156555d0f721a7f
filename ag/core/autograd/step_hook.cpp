#include "ag/core/autograd/step_hook.h"

#include <algorithm>
#include <utility>

#include "ag/core/autograd/anomaly.h"

namespace ag::autograd {

namespace {
thread_local std::vector<std::pair<uint64_t, BackwardStepHook>> hooks;
thread_local uint64_t next_id = 0;
}  // namespace

BackwardStepHookGuard::BackwardStepHookGuard(BackwardStepHook hook) : id_(next_id++) {
  hooks.emplace_back(id_, std::move(hook));
}

BackwardStepHookGuard::~BackwardStepHookGuard() {
  std::erase_if(hooks, [this](const auto& entry) { return entry.first == id_; });
}

bool watching_backward() { return !hooks.empty() || AnomalyMode::is_enabled(); }

// Anomaly mode first: a NaN stops the run before anyone prints or records the step.
void report_backward_step(const BackwardStep& step) {
  if (AnomalyMode::is_enabled()) check_backward(step);
  for (const auto& [id, hook] : hooks) hook(step);
}

}  // namespace ag::autograd
