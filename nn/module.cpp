// Module: registration, traversal, state_dict and printing (see module.h).
#include "nn/module.h"

#include <fmt/format.h>

#include <set>
#include <sstream>

#include "core/autograd/grad_mode.h"
#include "core/autograd/node.h"
#include "core/ops.h"

namespace ag::nn {

namespace {

std::string join_name(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

// Points t's impl at new data, as PyTorch's `t.data = data`: every handle to t sees it, the
// autograd flags stay, and the old gradient (of the old dtype) is dropped.
void set_data(const Tensor& t, const Tensor& data) {
  TensorImpl* impl = t.impl();
  impl->storage = data.impl()->storage;
  impl->shape = data.sizes();
  impl->strides = data.strides();
  impl->offset = data.storage_offset();
  impl->dtype = data.dtype();
  impl->grad = Tensor();
}

}  // namespace

Module::Module(std::string type_name) : type_name_(std::move(type_name)) {}

void Module::check_new_name(const std::string& name, const char* what) const {
  AG_CHECK(!name.empty() && name.find('.') == std::string::npos,
           "{}: in {}, the name \"{}\" must be non-empty and contain no '.'", what, type_name_, name);
  auto taken = [&](const auto& entries) {
    for (const auto& entry : entries)
      if (entry.first == name) return true;
    return false;
  };
  AG_CHECK(!taken(parameters_) && !taken(buffers_) && !taken(children_),
           "{}: {} already has a parameter, buffer or submodule named \"{}\"", what, type_name_, name);
}

Tensor& Module::register_parameter(const std::string& name, Tensor t, bool requires_grad) {
  check_new_name(name, "register_parameter");
  AG_CHECK(t.defined(), "register_parameter: the tensor for \"{}\" is undefined", name);
  AG_CHECK(t.is_leaf(), "register_parameter: \"{}\" was computed by {}; a parameter must be a leaf, so "
           "pass t.detach() (or build it under ag::NoGradGuard)", name, t.grad_fn()->name());
  t.requires_grad_(requires_grad);
  return parameters_.emplace_back(name, std::move(t)).second;
}

Tensor& Module::register_buffer(const std::string& name, Tensor t) {
  check_new_name(name, "register_buffer");
  AG_CHECK(t.defined(), "register_buffer: the tensor for \"{}\" is undefined", name);
  return buffers_.emplace_back(name, std::move(t)).second;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  check_new_name(name, "register_module");
  AG_CHECK(module != nullptr, "register_module: the module for \"{}\" is empty (nullptr)", name);
  children_.emplace_back(name, std::move(module));
}

// ---- traversal ----------------------------------------------------------------------------------

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_modules(bool remove_duplicate) const {
  // Ourselves as a shared_ptr: the owning one when we live in one (always, through ModuleHolder),
  // else a non-owning alias, so a module on the stack can still be walked.
  std::shared_ptr<Module> self = std::const_pointer_cast<Module>(weak_from_this().lock());
  if (!self) self = std::shared_ptr<Module>(std::shared_ptr<Module>(), const_cast<Module*>(this));
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> out;
  std::set<const Module*> seen;
  // Pre-order walk with an explicit stack; children pushed in reverse so they pop in order.
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> stack{{"", self}};
  while (!stack.empty()) {
    auto [prefix, module] = std::move(stack.back());
    stack.pop_back();
    if (remove_duplicate && !seen.insert(module.get()).second) continue;
    for (auto it = module->children_.rbegin(); it != module->children_.rend(); ++it)
      stack.emplace_back(join_name(prefix, it->first), it->second);
    out.emplace_back(std::move(prefix), std::move(module));
  }
  return out;
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_modules() const {
  return named_modules(true);
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_children() const {
  return children_;
}

std::vector<std::pair<std::string, Tensor>> Module::named_tensors(bool parameters, bool recurse,
                                                                  bool remove_duplicate) const {
  std::vector<std::pair<std::string, Tensor>> out;
  std::set<const TensorImpl*> seen;
  auto add_own = [&](const std::string& prefix, const Module& m) {
    for (const auto& [name, t] : parameters ? m.parameters_ : m.buffers_)
      if (!remove_duplicate || seen.insert(t.impl()).second) out.emplace_back(join_name(prefix, name), t);
  };
  if (!recurse) {
    add_own("", *this);
    return out;
  }
  for (const auto& [prefix, module] : named_modules(remove_duplicate)) add_own(prefix, *module);
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters(bool recurse) const {
  return named_tensors(true, recurse, true);
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers(bool recurse) const {
  return named_tensors(false, recurse, true);
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [name, t] : named_parameters(recurse)) out.push_back(t);
  return out;
}

// ---- state --------------------------------------------------------------------------------------

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

void Module::zero_grad(bool set_to_none) {
  NoGradGuard no_grad;
  for (const Tensor& p : parameters()) {
    Tensor& grad = p.mutable_grad();
    if (set_to_none) grad = Tensor();
    else if (grad.defined()) grad.zero_();
  }
}

int64_t Module::num_parameters() const {
  int64_t total = 0;
  for (const Tensor& p : parameters()) total += p.numel();
  return total;
}

void Module::to(Dtype dtype) {
  AG_CHECK(is_floating(dtype), "to: modules convert to a floating-point dtype, got {}", dtype_name(dtype));
  NoGradGuard no_grad;
  for (bool parameters : {true, false})
    for (const auto& [name, t] : named_tensors(parameters, true, true))
      if (is_floating(t.dtype()) && t.dtype() != dtype) set_data(t, t.to(dtype).contiguous());  // int buffers stay
}

// ---- checkpoints --------------------------------------------------------------------------------

std::map<std::string, Tensor> Module::state_dict() const {
  std::map<std::string, Tensor> out;
  for (bool parameters : {true, false})
    for (const auto& [name, t] : named_tensors(parameters, true, false)) out.emplace(name, t.detach());
  return out;
}

void Module::load_state_dict(const std::map<std::string, Tensor>& state, bool strict) {
  std::map<std::string, Tensor> own;
  for (bool parameters : {true, false})
    for (const auto& [name, t] : named_tensors(parameters, true, false)) own.emplace(name, t);

  std::vector<std::string> problems;
  for (const auto& [name, t] : own) {
    auto it = state.find(name);
    if (it == state.end()) {
      if (strict) problems.push_back(fmt::format("missing key {} (shape {})", name, shape_str(t.sizes())));
    } else if (!it->second.defined()) {
      problems.push_back(fmt::format("key {} holds an undefined tensor", name));
    } else if (it->second.sizes() != t.sizes()) {
      problems.push_back(fmt::format("size mismatch for {}: the state has shape {} but the module has {}", name,
                                     shape_str(it->second.sizes()), shape_str(t.sizes())));
    }
  }
  if (strict)
    for (const auto& [name, t] : state)
      if (!own.count(name)) problems.push_back(fmt::format("unexpected key {}", name));
  AG_CHECK(problems.empty(), "load_state_dict: {} problem{} loading into {}:\n  {}", problems.size(),
           problems.size() == 1 ? "" : "s", type_name_, fmt::join(problems, "\n  "));

  NoGradGuard no_grad;
  for (auto& [name, t] : own)
    if (auto it = state.find(name); it != state.end()) t.copy_(it->second);
}

// ---- printing -----------------------------------------------------------------------------------

std::string Module::to_string() const {
  // As torch.nn.Module.__repr__: a one-line extra_repr stays inline when there are no children;
  // otherwise each extra line and each "(name): child" goes on its own line, indented two spaces.
  const std::string extra = extra_repr();
  std::vector<std::string> lines;
  std::istringstream extra_lines(extra);
  for (std::string line; std::getline(extra_lines, line);) lines.push_back(line);
  if (children_.empty() && lines.size() <= 1) return type_name_ + "(" + extra + ")";
  for (const auto& [name, child] : children_) {
    std::string text = "(" + name + "): ";
    for (char c : child->to_string()) text += c == '\n' ? std::string("\n  ") : std::string(1, c);
    lines.push_back(std::move(text));
  }
  std::string out = type_name_ + "(\n";
  for (const std::string& line : lines) out += "  " + line + "\n";
  return out + ")";
}

std::ostream& operator<<(std::ostream& out, const Module& module) { return out << module.to_string(); }

}  // namespace ag::nn
