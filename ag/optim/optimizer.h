// Optimizer: the base of SGD, Adam and AdamW, as torch.optim.Optimizer / libtorch's
// torch::optim::Optimizer.
//
// An optimizer holds parameter groups (a list of parameters with their own hyper-parameters) and,
// per parameter, the state its update rule keeps between steps (Adam's running averages...). The
// training loop is PyTorch's:
//     optimizer.zero_grad();
//     loss.backward();
//     optimizer.step();
//
// Parameters are numbered across groups in order (group 0's, then group 1's...), as in PyTorch;
// state_dict() uses those numbers:
//     "state.3.exp_avg"           per-parameter state (absent for a parameter never stepped)
//     "param_groups.0.params"     int64 numbers of the group's parameters
//     "param_groups.0.lr"         each hyper-parameter of the group
// load_state_dict() restores both, hyper-parameters included (a schedule's current lr lives in
// the group), so training resumes bit for bit.
//
// The same per-parameter state is reachable live, as libtorch's optimizer.state(): a map keyed by
// the parameter's TensorImpl, holding the optimizer's OptimizerParamState subclass:
//     auto& s = static_cast<optim::AdamParamState&>(*optimizer.state().at(param.impl()));
//     s.step(); s.exp_avg(); s.exp_avg_sq();
#pragma once
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "ag/core/autograd/grad_mode.h"
#include "ag/optim/options.h"

namespace ag::optim {

// A list of parameters with their own options; without options, a group takes the optimizer's
// defaults. E.g. for AdamW, no weight decay on biases and norms:
//     AdamW optimizer({ParamGroup(weights), ParamGroup(biases, AdamWOptions(lr).weight_decay(0))},
//                     AdamWOptions(lr));
struct ParamGroup {
  ParamGroup(std::vector<Tensor> params) : params(std::move(params)) {}  // NOLINT: implicit, as libtorch
  template <typename Options>
  ParamGroup(std::vector<Tensor> params, const Options& options)
      : params(std::move(params)), options(options.clone()) {}

  std::vector<Tensor> params;
  std::shared_ptr<OptimizerOptions> options;  // null until the optimizer fills in its defaults
};

// One parameter's state, as libtorch's torch::optim::OptimizerParamState. The entries are stored
// once, by their state_dict names ("step", "exp_avg", ...); AdamParamState and SGDParamState add
// libtorch's typed accessors over them.
class OptimizerParamState {
 public:
  virtual ~OptimizerParamState() = default;
  // Every entry by name: what state_dict() saves as "state.<n>.<name>". "step" is an int64 scalar,
  // the rest have the parameter's shape and dtype.
  std::map<std::string, Tensor>& tensors() { return tensors_; }
  const std::map<std::string, Tensor>& tensors() const { return tensors_; }

 protected:
  // The entry `name`, or an undefined tensor if this state has none (e.g. AMSGrad's buffer without AMSGrad).
  const Tensor& entry(const std::string& name) const;
  // The "step" counter; 0 before the first step.
  int64_t step_count() const;

 private:
  std::map<std::string, Tensor> tensors_;
};

// Per parameter, keyed by its TensorImpl (param.impl()), as libtorch's state(); a parameter has an
// entry once it has been stepped.
using OptimizerParamStateMap = std::unordered_map<void*, std::unique_ptr<OptimizerParamState>>;

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient (those without one are skipped, as in PyTorch).
  virtual void step() = 0;
  // Drops every gradient (set_to_none, PyTorch's default, frees the memory) or zeroes it in place.
  void zero_grad(bool set_to_none = true);

  // Adds a group; its options (the defaults if it has none) are copied, so later changes to the
  // caller's options object do not reach the optimizer.
  void add_param_group(ParamGroup group);
  std::vector<ParamGroup>& param_groups() { return param_groups_; }
  const std::vector<ParamGroup>& param_groups() const { return param_groups_; }
  // Every parameter, in the numbering of state_dict().
  std::vector<Tensor> parameters() const;
  // The live per-parameter state (see the top of this file). Changing a tensor in it in place
  // changes what the next step uses.
  OptimizerParamStateMap& state() { return state_; }
  const OptimizerParamStateMap& state() const { return state_; }

  // A snapshot: the tensors are copies, so later steps do not change a saved state.
  StateDict state_dict() const;
  // Restores a state_dict() of an optimizer of the same kind over parameters of the same shapes.
  // Every key is checked first; on any error nothing changes and the message names the key.
  void load_state_dict(const StateDict& state);

 protected:
  // `name` ("Adam") opens error messages; `defaults` fills in groups given without options.
  Optimizer(std::string name, std::vector<ParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults);

  // The names in one parameter's state once it has been stepped with these options. "step" is an
  // int64 counter; every other entry has the parameter's shape and dtype.
  virtual std::vector<std::string> state_names(const OptimizerOptions& options) const = 0;
  // An empty state of this optimizer's kind (AdamParamState...), filled by the first step.
  virtual std::unique_ptr<OptimizerParamState> make_param_state() const = 0;

  // Calls update(options, param, grad, state) for every parameter with a gradient, with grad mode
  // off, `grad` contiguous and `state` the parameter's State (made empty on its first step), then
  // bumps the parameter's version counter: the update writes through raw pointers, and autograd
  // must still see that tensors saved before it are stale.
  template <typename Options, typename State, typename Update>
  void for_each_param_with_grad(Update&& update) {
    NoGradGuard no_grad;
    size_t index = 0;
    for (ParamGroup& group : param_groups_) {
      const auto& options = static_cast<const Options&>(*group.options);
      for (Tensor& param : group.params) {
        size_t i = index++;
        if (!param.grad().defined()) continue;
        std::unique_ptr<OptimizerParamState>& state = state_[param.impl()];
        if (!state) state = make_param_state();
        update(options, param, checked_grad(param, i), static_cast<State&>(*state));
        param.impl()->storage->bump_version();
      }
    }
  }

  const std::string& name() const { return name_; }

 private:
  Tensor checked_grad(const Tensor& param, size_t index) const;

  std::string name_;
  std::unique_ptr<OptimizerOptions> defaults_;
  std::vector<ParamGroup> param_groups_;
  OptimizerParamStateMap state_;
};

}  // namespace ag::optim
