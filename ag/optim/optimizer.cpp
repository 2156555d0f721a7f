// Optimizer: parameter groups, zero_grad, and saving/loading state in StateDict form.
#include "ag/optim/optimizer.h"

#include <algorithm>
#include <typeinfo>

#include "ag/core/autograd/node.h"
#include "ag/core/factory.h"

namespace ag::optim {

const Tensor& OptimizerParamState::entry(const std::string& name) const {
  static const Tensor undefined;
  auto it = tensors_.find(name);
  return it == tensors_.end() ? undefined : it->second;
}

int64_t OptimizerParamState::step_count() const {
  const Tensor& step = entry("step");
  return step.defined() ? step.data_ptr<int64_t>()[0] : 0;
}

Optimizer::Optimizer(std::string name, std::vector<ParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults)
    : name_(std::move(name)), defaults_(std::move(defaults)) {
  defaults_->validate();
  for (ParamGroup& group : groups) add_param_group(std::move(group));
  AG_CHECK(!parameters().empty(), "{}: got an empty parameter list; pass e.g. model->parameters()", name_);
}

void Optimizer::add_param_group(ParamGroup group) {
  group.options = group.options ? group.options->clone() : defaults_->clone();
  AG_CHECK(typeid(*group.options) == typeid(*defaults_), "{}: parameter group {} was given options of "
           "another optimizer", name_, param_groups_.size());
  group.options->validate();
  std::vector<Tensor> existing = parameters();
  for (const Tensor& p : group.params) {
    AG_CHECK(p.defined(), "{}: parameter group {} holds an undefined tensor", name_, param_groups_.size());
    AG_CHECK(p.is_leaf(), "{}: can't optimize a non-leaf tensor (it was computed by {}); optimize the "
             "leaves it came from", name_, p.grad_fn() ? p.grad_fn()->name() : "an op");
    AG_CHECK(is_floating(p.dtype()), "{}: can only optimize float32 or float64 tensors, got {}", name_,
             dtype_name(p.dtype()));
    AG_CHECK(p.is_contiguous(), "{}: parameter of shape {} is not contiguous; make it with .contiguous() "
             "before registering it", name_, shape_str(p.sizes()));
    bool duplicate = std::any_of(existing.begin(), existing.end(), [&](const Tensor& q) { return q.is_same(p); });
    AG_CHECK(!duplicate, "{}: a parameter of shape {} appears twice (in one group or in two); each "
             "parameter may be listed once", name_, shape_str(p.sizes()));
    existing.push_back(p);
  }
  param_groups_.push_back(std::move(group));
}

std::vector<Tensor> Optimizer::parameters() const {
  std::vector<Tensor> all;
  for (const ParamGroup& group : param_groups_) all.insert(all.end(), group.params.begin(), group.params.end());
  return all;
}

void Optimizer::zero_grad(bool set_to_none) {
  for (const ParamGroup& group : param_groups_) ag::zero_grad(group.params, set_to_none);
}

Tensor Optimizer::checked_grad(const Tensor& param, size_t index) const {
  const Tensor& grad = param.grad();
  AG_CHECK(grad.sizes() == param.sizes() && grad.dtype() == param.dtype(), "{}.step: parameter {} is a {} "
           "tensor of shape {} but its gradient is a {} tensor of shape {}", name_, index,
           dtype_name(param.dtype()), shape_str(param.sizes()), dtype_name(grad.dtype()), shape_str(grad.sizes()));
  return grad.contiguous();
}

StateDict Optimizer::state_dict() const {
  StateDict out;
  int64_t index = 0;
  for (size_t g = 0; g < param_groups_.size(); ++g) {
    std::string prefix = fmt::format("param_groups.{}.", g);
    std::vector<int64_t> numbers;
    for (const Tensor& param : param_groups_[g].params) {
      numbers.push_back(index);
      if (auto it = state_.find(param.impl()); it != state_.end())
        for (const auto& [key, value] : it->second->tensors()) out[fmt::format("state.{}.{}", index, key)] = value.clone();
      ++index;
    }
    out[prefix + "params"] = from_vector(numbers, {static_cast<int64_t>(numbers.size())});
    param_groups_[g].options->save(out, prefix);
  }
  return out;
}

void Optimizer::load_state_dict(const StateDict& state) {
  NoGradGuard no_grad;
  StateReader in(state, name_ + ".load_state_dict");
  AG_CHECK(!in.contains(fmt::format("param_groups.{}.params", param_groups_.size())), "{}: the state has "
           "more parameter groups than this optimizer's {}", in.who(), param_groups_.size());

  // Read everything into new objects first, so a bad state leaves the optimizer as it was.
  std::vector<std::unique_ptr<OptimizerOptions>> options;
  OptimizerParamStateMap loaded;
  int64_t index = 0;
  for (size_t g = 0; g < param_groups_.size(); ++g) {
    std::string prefix = fmt::format("param_groups.{}.", g);
    const std::vector<Tensor>& params = param_groups_[g].params;
    const Tensor& numbers = in.tensor(prefix + "params");
    AG_CHECK(numbers.dim() == 1 && numbers.dtype() == kInt64, "{}: {}params should be a 1-d int64 tensor",
             in.who(), prefix);
    AG_CHECK(numbers.size(0) == static_cast<int64_t>(params.size()), "{}: parameter group {} has {} "
             "parameters but the saved group has {}; was the state saved from a different model?", in.who(), g,
             params.size(), numbers.size(0));
    options.push_back(param_groups_[g].options->clone());
    options.back()->load(in, prefix);
    options.back()->validate();

    std::vector<std::string> names = state_names(*options.back());
    for (const Tensor& param : params) {
      std::string key_prefix = fmt::format("state.{}.", index);
      // A parameter never stepped has no state; one that was must have all of it.
      bool stepped = std::any_of(names.begin(), names.end(), [&](const std::string& n) { return in.contains(key_prefix + n); });
      if (stepped) loaded[param.impl()] = make_param_state();
      for (size_t k = 0; stepped && k < names.size(); ++k) {
        const std::string& n = names[k];
        const Tensor& t = in.tensor(key_prefix + n);
        Shape shape = n == "step" ? Shape{} : param.sizes();
        Dtype dtype = n == "step" ? kInt64 : param.dtype();
        AG_CHECK(t.sizes() == shape && t.dtype() == dtype, "{}: {}{} is a {} tensor of shape {} but parameter {} "
                 "needs a {} tensor of shape {}; was the state saved from a different model?", in.who(), key_prefix,
                 n, dtype_name(t.dtype()), shape_str(t.sizes()), index, dtype_name(dtype), shape_str(shape));
        loaded[param.impl()]->tensors()[n] = t.clone();
      }
      ++index;
    }
  }
  in.check_all_used();

  for (size_t g = 0; g < param_groups_.size(); ++g) param_groups_[g].options = std::move(options[g]);
  state_ = std::move(loaded);
}

}  // namespace ag::optim
