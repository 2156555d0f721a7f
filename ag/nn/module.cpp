// Module: registration, traversal, state_dict, printing, forward hooks and path scopes (see module.h).
#include "ag/nn/module.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "ag/core/autograd/grad_mode.h"
#include "ag/core/autograd/metadata.h"
#include "ag/core/autograd/node.h"
#include "ag/core/ops.h"

namespace ag::nn {

namespace {

std::string join_name(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

// Points t's impl at new data, as PyTorch's `t.data = data`: every handle to t sees it, the
// autograd flags stay, and the old gradient (of the old dtype) is dropped.
void set_data(const Tensor& t, const Tensor& data) {
  t.impl()->share_data(*data.impl());
  t.impl()->grad = Tensor();
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

void Module::zero_grad(bool set_to_none) { ag::zero_grad(parameters(), set_to_none); }

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

namespace {
// How many elements of a floating tensor are NaN, or NaN or infinite when `finite` is required.
int64_t count_invalid(const Tensor& t, bool finite) {
  const Tensor c = t.contiguous();
  return dispatch_floating(c.dtype(), "load_state_dict", [&]<typename T>() {
    const T* p = c.data_ptr<T>();
    return static_cast<int64_t>(
        std::count_if(p, p + c.numel(), [finite](T v) { return finite ? !std::isfinite(v) : std::isnan(v); }));
  });
}
}  // namespace

void Module::load_state_dict(const std::map<std::string, Tensor>& state, bool strict) {
  std::map<std::string, Tensor> own;
  for (bool parameters : {true, false})
    for (const auto& [name, t] : named_tensors(parameters, true, false)) own.emplace(name, t);

  std::set<std::string> parameter_names;
  for (const auto& [name, t] : named_tensors(true, true, false)) parameter_names.insert(name);

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
    } else if (it->second.dtype() != t.dtype()) {
      // Converting would hide a file that is not what it claims (int64 bits read as weights); a
      // deliberate conversion is one .to() away for the caller.
      problems.push_back(fmt::format("dtype mismatch for {}: the state has {} but the module has {}", name,
                                     dtype_name(it->second.dtype()), dtype_name(t.dtype())));
    } else if (is_floating(t.dtype())) {
      // A NaN or infinite weight can only make every output NaN, silently: refuse it here. Buffers may
      // hold infinities by design (an additive mask of -inf), so only NaN is refused there.
      const bool parameter = parameter_names.count(name) > 0;
      if (const int64_t count = count_invalid(it->second, parameter))
        problems.push_back(fmt::format("{} holds {} {} value{} (a damaged file or a diverged run)", name, count,
                                       parameter ? "non-finite" : "NaN", count == 1 ? "" : "s"));
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

// ---- cloning ------------------------------------------------------------------------------------

std::shared_ptr<Module> Module::clone() const {
  throw Error(fmt::format("clone: {} cannot be cloned; derive it from nn::Cloneable<{}Impl> instead of "
                          "nn::Module and build its parameters, buffers and submodules in reset()",
                          type_name_, type_name_));
}

void Module::copy_state_from(const Module& source) {
  std::map<std::string, Tensor> own;
  for (bool parameters : {true, false})
    for (const auto& [name, t] : named_tensors(parameters, true, false)) own.emplace(name, t);
  std::map<const TensorImpl*, Tensor> copies;  // a tensor held under two names (tied) stays shared
  size_t matched = 0;
  for (bool parameters : {true, false}) {
    for (const auto& [name, original] : source.named_tensors(parameters, true, false)) {
      auto it = own.find(name);
      AG_CHECK(it != own.end() && it->second.sizes() == original.sizes(), "clone: {}'s reset() made no {} "
               "\"{}\" of shape {}; build every parameter, buffer and submodule in reset(), from the module's "
               "options", type_name_, parameters ? "parameter" : "buffer", name, shape_str(original.sizes()));
      Tensor& copy = copies[original.impl()];
      if (!copy.defined()) copy = original.detach().clone();
      set_data(it->second, copy);
      if (parameters) it->second.requires_grad_(original.requires_grad());
      ++matched;
    }
  }
  AG_CHECK(matched == own.size(), "clone: {}'s reset() made {} parameters and buffers but the original has {}; "
           "build exactly what the constructor builds in reset()", type_name_, own.size(), matched);
  // reset() made the submodules in training mode; each takes its original's mode.
  std::map<std::string, bool> training;
  for (const auto& [name, module] : source.named_modules()) training.emplace(name, module->training_);
  for (const auto& [name, module] : named_modules())
    if (auto it = training.find(name); it != training.end()) module->training_ = it->second;
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

// ---- forward hooks ------------------------------------------------------------------------------

RemovableHandle Module::register_forward_pre_hook(ForwardPreHook hook) {
  AG_CHECK(hook, "register_forward_pre_hook: the hook is empty");
  if (!hooks_) hooks_ = std::make_shared<detail::ForwardHooks>();
  hooks_->pre.emplace_back(hooks_->next_id, std::move(hook));
  return {hooks_, hooks_->next_id++};
}

RemovableHandle Module::register_forward_hook(ForwardHook hook) {
  AG_CHECK(hook, "register_forward_hook: the hook is empty");
  if (!hooks_) hooks_ = std::make_shared<detail::ForwardHooks>();
  hooks_->post.emplace_back(hooks_->next_id, std::move(hook));
  return {hooks_, hooks_->next_id++};
}

void RemovableHandle::remove() {
  if (auto hooks = hooks_.lock()) {
    std::erase_if(hooks->pre, [this](const auto& entry) { return entry.first == id_; });
    std::erase_if(hooks->post, [this](const auto& entry) { return entry.first == id_; });
  }
  hooks_.reset();
}

// The hooks run from copies of the lists, so a hook may remove itself or register another.
void Module::run_forward_pre_hooks(const std::vector<Tensor>& inputs) {
  if (!hooks_) return;
  const auto pre = hooks_->pre;
  for (const auto& [id, hook] : pre) hook(*this, inputs);
}

void Module::run_forward_hooks(const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs) {
  if (!hooks_) return;
  const auto post = hooks_->post;
  const size_t count = outputs.size();
  for (const auto& [id, hook] : post) {
    hook(*this, inputs, outputs);
    AG_CHECK(outputs.size() == count,
             "forward hook on {}: the module returned {} tensor(s) but the hook left {}; replace outputs by "
             "assigning to them, without adding or removing any", type_name_, count, outputs.size());
  }
}

// ---- path scopes --------------------------------------------------------------------------------

namespace {
// The modules whose ModuleScope is open on this thread, innermost last, with their paths.
thread_local std::vector<std::pair<const Module*, std::string>> open_scopes;

// `module`'s dotted path: found under the innermost open module whose subtree holds it. A module
// called from outside every open one is a root, "" (named_modules' name for the root), unless
// other modules are open, when it is named by its type so its ops are not mixed with theirs.
std::string path_of(const Module& module) {
  for (auto it = open_scopes.rbegin(); it != open_scopes.rend(); ++it) {
    const auto& [outer, outer_path] = *it;
    for (const auto& [name, descendant] : outer->named_modules())
      if (descendant.get() == &module) return name.empty() ? outer_path : join_name(outer_path, name);
  }
  return open_scopes.empty() ? "" : "<" + module.type_name() + ">";
}
}  // namespace

ModuleScope::ModuleScope(const Module& module) {
  if (!autograd::metadata_enabled()) return;
  std::string path = path_of(module);
  scope_.emplace(path);
  open_scopes.emplace_back(&module, std::move(path));
}

ModuleScope::~ModuleScope() {
  if (scope_) open_scopes.pop_back();
}

}  // namespace ag::nn
