// Module: the base of every layer, as torch.nn.Module / libtorch's torch::nn::Module.
//
// A module owns named parameters (tensors the optimizer trains), buffers (state that is saved but
// not trained, e.g. a fixed positional table) and submodules. Names compose with dots, so a
// Transformer's parameters read "encoder.layers.0.self_attn.in_proj_weight", exactly as in
// PyTorch; that is what lets weights move between the two through state_dict().
//
// Writing a layer, libtorch style:
//     struct MlpImpl : nn::Module {
//       MlpImpl(int64_t d) : Module("Mlp") {
//         fc = register_module("fc", nn::Linear(d, d));
//         scale = register_parameter("scale", ag::ones({d}));
//       }
//       Tensor forward(const Tensor& x) { return fc(x) * scale; }
//       nn::Linear fc{nullptr};
//       Tensor scale;
//     };
//     AG_MODULE(Mlp);   // nn::Mlp is the shared handle: Mlp m(8); m(x); m->named_parameters()
//
// The Tensor members are handles to the registered tensors: load_state_dict() and to() change the
// data behind them in place, so they never go stale.
//
// Cloning, as libtorch's Cloneable: a module that derives from nn::Cloneable<Itself> and builds its
// parameters, buffers and submodules in reset() (which its constructor calls) gets clone(), a deep
// copy whose tensors are independent of the original's:
//     struct MlpImpl : nn::Cloneable<MlpImpl> {
//       MlpImpl(int64_t d) : Cloneable("Mlp"), d(d) { reset(); }
//       void reset() override { fc = register_module("fc", nn::Linear(d, d)); }
//       ...
//     };
//     auto copy = std::dynamic_pointer_cast<MlpImpl>(mlp->clone());   // or nn::clone(mlp)
//
// Forward hooks, as PyTorch's, run when m(x) is called, not m->forward(x) (why: the end of this file):
//     auto handle = fc->register_forward_hook([](nn::Module& m, const auto& inputs, auto& outputs) {
//       fmt::print("{}: {}\n", m.type_name(), ag::autograd::summarize(outputs[0]));
//     });
//     ...
//     handle.remove();
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "ag/core/arg.h"
#include "ag/core/autograd/grad_mode.h"
#include "ag/core/autograd/metadata.h"
#include "ag/core/generator.h"
#include "ag/core/tensor.h"
#include "ag/nn/module_holder.h"

namespace ag::nn {

// A pre-hook sees forward's Tensor arguments (others, like a bool flag or a cache, are left out).
using ForwardPreHook = std::function<void(Module& module, const std::vector<Tensor>& inputs)>;
// A hook also sees forward's Tensor outputs (the Tensor returned, or each Tensor of a returned
// tuple) and may replace one by assigning to it.
using ForwardHook =
    std::function<void(Module& module, const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs)>;

namespace detail {
struct ForwardHooks {
  uint64_t next_id = 0;
  std::vector<std::pair<uint64_t, ForwardPreHook>> pre;
  std::vector<std::pair<uint64_t, ForwardHook>> post;
};
}  // namespace detail

// Returned by register_forward_(pre_)hook; remove() unregisters that hook (PyTorch's
// RemovableHandle). Removing twice, or after the module is gone, does nothing.
class RemovableHandle {
 public:
  RemovableHandle() = default;
  RemovableHandle(std::weak_ptr<detail::ForwardHooks> hooks, uint64_t id) : hooks_(std::move(hooks)), id_(id) {}
  void remove();

 private:
  std::weak_ptr<detail::ForwardHooks> hooks_;
  uint64_t id_ = 0;
};

class Module : public std::enable_shared_from_this<Module> {
 public:
  explicit Module(std::string type_name);  // "Linear" etc., used in printing
  virtual ~Module() = default;
  Module& operator=(const Module&) = delete;

  // A deep copy: every parameter and buffer copied into new tensors (same requires_grad), every
  // submodule cloned. Modules deriving from Cloneable<Derived> have it; for others it throws.
  virtual std::shared_ptr<Module> clone() const;

  // ---- registration (names are unique per module and contain no '.') --------------------------
  // Stores `t` (a leaf) as a parameter with requires_grad set; returns a reference to the stored handle.
  Tensor& register_parameter(const std::string& name, Tensor t, bool requires_grad = true);
  Tensor& register_buffer(const std::string& name, Tensor t);
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    static_assert(std::is_base_of_v<Module, M>, "register_module: M must derive from ag::nn::Module");
    add_child(name, module);
    return module;
  }
  template <typename M>
  ModuleHolder<M> register_module(const std::string& name, ModuleHolder<M> module) {
    register_module(name, module.ptr());
    return module;
  }

  // ---- traversal (depth first, registration order; a tensor or module shared twice is listed once,
  // as in PyTorch, so tied weights reach the optimizer once) ------------------------------------
  std::vector<Tensor> parameters(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_parameters(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_buffers(bool recurse = true) const;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_children() const;
  // Every module in the tree with its dotted path; this module itself comes first, named "".
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_modules() const;
  // This module as an M (e.g. a ModuleList element back as its layer type), or nullptr.
  template <typename M> M* as() { return dynamic_cast<M*>(this); }
  template <typename M> const M* as() const { return dynamic_cast<const M*>(this); }

  // ---- state ----------------------------------------------------------------------------------
  // Training mode (dropout active) is on by default; train()/eval() set it for the whole subtree.
  virtual void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  // Drops every parameter's gradient (set_to_none, PyTorch's default) or zeroes it in place.
  void zero_grad(bool set_to_none = true);
  int64_t num_parameters() const;  // total elements over parameters()
  // Converts every parameter and buffer to `dtype` in place (handles stay valid), as module->to().
  void to(Dtype dtype);

  // ---- checkpoints ----------------------------------------------------------------------------
  // Every parameter and buffer by dotted name, detached (sharing storage, as PyTorch).
  std::map<std::string, Tensor> state_dict() const;
  // Copies values in under NoGradGuard. Throws one ag::Error listing every missing, unexpected,
  // mis-shaped or mistyped key and every parameter holding NaN or infinity (a buffer: NaN);
  // nothing is copied unless all keys are good. With
  // strict = false, missing and unexpected keys are allowed (shapes must still match).
  void load_state_dict(const std::map<std::string, Tensor>& state, bool strict = true);

  // ---- printing -------------------------------------------------------------------------------
  // The text inside a leaf's parentheses: "in_features=4, out_features=3, bias=true".
  virtual std::string extra_repr() const { return ""; }
  // The module tree, as PyTorch prints it:
  //     Sequential(
  //       (0): Linear(in_features=4, out_features=3, bias=true)
  //       (1): ReLU()
  //     )
  std::string to_string() const;
  const std::string& type_name() const { return type_name_; }

  // ---- forward hooks (run by m(x), not m->forward(x), in registration order; see the file's end) ---
  RemovableHandle register_forward_pre_hook(ForwardPreHook hook);
  RemovableHandle register_forward_hook(ForwardHook hook);
  bool has_forward_hooks() const { return hooks_ && (!hooks_->pre.empty() || !hooks_->post.empty()); }
  void run_forward_pre_hooks(const std::vector<Tensor>& inputs);
  void run_forward_hooks(const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs);

 protected:
  // Modules are shared through handles; copying is for Cloneable::clone only. The copy keeps the
  // type name and training flag and registers nothing (neither does it copy hooks): clone()
  // rebuilds the registrations with reset().
  Module(const Module& other) : enable_shared_from_this(), type_name_(other.type_name_), training_(other.training_) {}
  // Gives this module's parameters and buffers, whole tree, copies of `source`'s data (and each
  // submodule its training flag), matched by dotted name; both trees must hold the same names and
  // shapes (it checks).
  void copy_state_from(const Module& source);

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> module);
  void check_new_name(const std::string& name, const char* what) const;
  // Parameters (or buffers) of the whole subtree with dotted names; remove_duplicate lists a
  // tensor held under two names once (named_parameters) or under both (state_dict).
  std::vector<std::pair<std::string, Tensor>> named_tensors(bool parameters, bool recurse,
                                                            bool remove_duplicate) const;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_modules(bool remove_duplicate) const;

  std::string type_name_;
  bool training_ = true;
  // deques: register_parameter hands out references, which push_back on a deque keeps valid.
  std::deque<std::pair<std::string, Tensor>> parameters_;
  std::deque<std::pair<std::string, Tensor>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  std::shared_ptr<detail::ForwardHooks> hooks_;  // made by the first registration
};

std::ostream& operator<<(std::ostream& out, const Module& module);

// The base of a module that can be cloned, as libtorch's torch::nn::Cloneable<Derived>. Derived
// builds everything it registers in reset() (its constructor calls reset()); clone() copies
// Derived (its options and other plain members), runs reset() on the copy to make fresh
// parameters, buffers and submodules with the same names, then copies the original's data in.
// reset() draws its throwaway initial values from a copy of the global generator, so cloning does
// not move the global random numbers.
template <typename Derived>
class Cloneable : public Module {
 public:
  using Module::Module;
  // (Re)creates every parameter, buffer and submodule of the module.
  virtual void reset() = 0;

  std::shared_ptr<Module> clone() const override {
    NoGradGuard no_grad;
    auto copy = std::make_shared<Derived>(static_cast<const Derived&>(*this));
    {
      GeneratorGuard scratch(default_generator().clone());
      copy->reset();
    }
    copy->copy_state_from(*this);
    return copy;
  }

 protected:
  Cloneable(const Cloneable& other) : Module(other) {}
};

// m->clone() as the module's own holder type: nn::Linear copy = nn::clone(fc).
template <typename M>
M clone(const M& module) {
  auto copy = std::dynamic_pointer_cast<typename M::ContainedType>(module->clone());
  AG_CHECK(copy != nullptr, "clone: {}'s clone() returned another type", module->type_name());
  return M(copy);
}

namespace detail {

template <typename T>
constexpr bool is_tensor = std::is_same_v<std::decay_t<T>, Tensor>;
template <typename T>
struct is_tuple : std::false_type {};
template <typename... Ts>
struct is_tuple<std::tuple<Ts...>> : std::true_type {};

// The Tensors among forward's arguments, in order.
template <typename... Args>
std::vector<Tensor> tensor_arguments(const Args&... args) {
  std::vector<Tensor> out;
  auto add = [&out](const auto& arg) {
    if constexpr (is_tensor<decltype(arg)>) out.push_back(arg);
  };
  (add(args), ...);
  return out;
}

// Calls f(t) on each Tensor forward returned: the result itself, or each Tensor in a tuple.
template <typename R, typename F>
void for_each_output(R& result, F&& f) {
  auto visit = [&f](auto& element) {
    if constexpr (is_tensor<decltype(element)>) f(element);
  };
  if constexpr (is_tuple<R>::value) {
    std::apply([&visit](auto&... elements) { (visit(elements), ...); }, result);
  } else {
    visit(result);
  }
}

}  // namespace detail

// Runs `run` (which calls a method of `module` on `inputs`) as module(args...) runs forward: in the
// module's path scope, after its pre-hooks and before its hooks, which may replace outputs. With no
// hooks and no metadata being recorded it is just run(). For a module's other entry points
// (attention's forward_cached, say), so that hooks fire however the module is reached.
template <typename M, typename Run>
decltype(auto) call_with_hooks(M& module, const std::vector<Tensor>& inputs, Run&& run) {
  if (!module.has_forward_hooks() && !autograd::metadata_enabled()) return run();
  ModuleScope scope(module);
  module.run_forward_pre_hooks(inputs);
  auto result = run();
  std::vector<Tensor> outputs;
  detail::for_each_output(result, [&outputs](Tensor& t) { outputs.push_back(t); });
  module.run_forward_hooks(inputs, outputs);
  size_t next = 0;
  detail::for_each_output(result, [&](Tensor& t) { t = outputs[next++]; });
  return result;
}

// What module(args...) does, as PyTorch's Module.__call__: forward under call_with_hooks. Call it
// yourself for a module held by pointer, e.g. a ModuleList element: call_module(*layers->ptr<BlockImpl>(i), x).
template <typename M, typename... Args>
decltype(auto) call_module(M& module, Args&&... args) {
  if (!module.has_forward_hooks() && !autograd::metadata_enabled()) return module.forward(std::forward<Args>(args)...);
  return call_with_hooks(module, detail::tensor_arguments(args...),
                         [&]() -> decltype(auto) { return module.forward(std::forward<Args>(args)...); });
}
template <typename M>
std::ostream& operator<<(std::ostream& out, const ModuleHolder<M>& module) {
  return out << *module;
}

}  // namespace ag::nn

// Hooks and m->forward(x). A module's hooks run when it is called: m(x) on its handle, or
// nn::call_module(module, x) for a module held by pointer (a ModuleList element). m->forward(x)
// runs none of them, as module.forward(x) in PyTorch, where hooks belong to module(x): `->`
// reaches the module itself, and forward is its own member function, with its own arguments, so
// nothing stands between the call and forward that could run them (short of every module writing
// forward as a wrapper around a second function, which libtorch users would not expect). What
// matters in practice is how a parent calls its children: a forward that calls fc(x) lets hooks on
// fc fire however the parent itself was called; one that calls fc->forward(x) hides fc from them.
// The modules of ag::nn call their children as fc(x), or, where a child is reached through another
// method (a decoder layer's attention through forward_cached, the step-by-step form it shares with
// generation), through call_with_hooks; tests/nn/test_hooks.cpp checks that every module of a
// Transformer called through ->forward has its hooks run. Write your own modules the same way.
