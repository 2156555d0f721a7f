#include "ag/core/autograd/anomaly.h"

#include <atomic>
#include <cmath>
#include <limits>
#include <string_view>

#include "ag/core/autograd/grad_mode.h"
#include "ag/core/autograd/metadata.h"
#include "ag/core/autograd/node.h"
#include "ag/core/autograd/scope.h"
#include "ag/core/env.h"

namespace ag {

namespace {
std::atomic<bool> anomaly_enabled{env_flag("AG_DETECT_ANOMALY")};
}

bool AnomalyMode::is_enabled() { return anomaly_enabled.load(std::memory_order_relaxed); }
void AnomalyMode::set_enabled(bool enabled) { anomaly_enabled.store(enabled, std::memory_order_relaxed); }

namespace autograd {

namespace {

struct Stats {
  int64_t nan = 0, inf = 0, finite = 0;
  double min = std::numeric_limits<double>::infinity(), max = -std::numeric_limits<double>::infinity(), sum = 0;
  bool bad() const { return nan > 0 || inf > 0; }
};

Stats stats_of(const Tensor& t) {
  Stats s;
  if (!t.defined() || !is_floating(t.dtype())) return s;
  NoGradGuard no_grad;  // contiguous() below must not be checked or recorded itself
  const Tensor c = t.contiguous();
  dispatch_floating(c.dtype(), "anomaly mode", [&]<typename T>() {
    const T* p = c.data_ptr<T>();
    for (int64_t i = 0; i < c.numel(); ++i) {
      const double v = static_cast<double>(p[i]);
      if (std::isnan(v)) {
        ++s.nan;
      } else if (std::isinf(v)) {
        ++s.inf;
      } else {
        ++s.finite;
        s.min = std::min(s.min, v);
        s.max = std::max(s.max, v);
        s.sum += v;
      }
    }
  });
  return s;
}

std::string describe(const Tensor& t, const Stats& s) {
  if (!t.defined()) return "undefined";
  std::string text = fmt::format("{} {}", shape_str(t.sizes()), dtype_name(t.dtype()));
  if (!is_floating(t.dtype())) return text;
  if (s.finite > 0)
    text += fmt::format(": min {:.6g}, max {:.6g}, mean {:.6g},", s.min, s.max, s.sum / static_cast<double>(s.finite));
  else
    text += ": no finite values,";
  return text + fmt::format(" {} NaN, {} Inf", s.nan, s.inf);
}

std::string module_line(const std::string& scope) {
  return fmt::format("  module path: {}\n", scope.empty() ? "(top level)" : scope);
}

}  // namespace

std::string summarize(const Tensor& t) { return describe(t, stats_of(t)); }

void check_forward(const OpInfo& op, const std::vector<Tensor>& inputs, const Tensor& out) {
  if (!GradMode::is_enabled() || !out.defined() || !is_floating(out.dtype())) return;
  const Stats produced = stats_of(out);
  if (!produced.bad()) return;
  std::vector<Stats> input_stats;
  bool inf_came_in = false;
  for (const Tensor& input : inputs) {
    input_stats.push_back(stats_of(input));
    inf_came_in |= input_stats.back().inf > 0;
  }
  if (produced.nan == 0 && inf_came_in) return;  // an Inf passing through, e.g. a -inf mask being added

  std::string message = fmt::format("anomaly mode: the forward op {} (grad_fn {}) produced {} NaN and {} Inf\n",
                                    op.name, op.node_name(), produced.nan, produced.inf);
  message += module_line(current_scope());
  message += fmt::format("  output: {}\n", describe(out, produced));
  for (size_t i = 0; i < inputs.size(); ++i) message += fmt::format("  input {}: {}\n", i, describe(inputs[i], input_stats[i]));
  for (size_t i = 0; i < inputs.size(); ++i)
    if (input_stats[i].bad())
      message += fmt::format("input {} already held non-finite values: {}\n", i,
                             inputs[i].is_leaf()
                                 ? "it is a leaf, so the data or a parameter is bad (e.g. after a diverging step)"
                                 : "it was computed while anomaly mode or grad mode was off");
  throw Error(message);
}

void check_backward(const BackwardStep& step) {
  for (size_t i = 0; i < step.grad_inputs.size(); ++i) {
    const Stats s = stats_of(step.grad_inputs[i]);
    if (!s.bad()) continue;
    const NodeMetadata* metadata = step.node.metadata();
    const Stats incoming = stats_of(step.grad_output);
    std::string message = fmt::format(
        "anomaly mode: the backward node {} returned {} NaN and {} Inf in the gradient for input {}\n",
        step.node.name(), s.nan, s.inf, i);
    message += metadata ? module_line(metadata->scope)
                        : "  module path: unknown (the graph was built before anomaly mode was turned on)\n";
    message += fmt::format("  gradient for input {}: {}\n", i, describe(step.grad_inputs[i], s));
    message += fmt::format("  incoming gradient: {}\n", describe(step.grad_output, incoming));
    if (metadata) {
      std::vector<std::string> shapes;
      for (const auto& shape : metadata->input_shapes) shapes.push_back(shape ? shape_str(*shape) : "undefined");
      message += fmt::format("  the forward op's inputs had shapes {}\n", fmt::join(shapes, ", "));
    }
    if (incoming.bad())
      message += "the incoming gradient was already non-finite: a gradient hook (register_hook) or the gradient "
                 "passed to backward() put it there\n";
    throw Error(message);
  }
}

}  // namespace autograd
}  // namespace ag
