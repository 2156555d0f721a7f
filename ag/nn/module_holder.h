// ModuleHolder: the libtorch-style value handle around a shared module.
//
// A layer is written as `LinearImpl : Module` and used through `Linear`, a ModuleHolder<LinearImpl>
// that owns a std::shared_ptr to it. Copying the holder shares the module (as copying a Python
// reference does), so a layer can sit in a parent module and in user code at once:
//     nn::Linear fc(4, 3);        // constructs LinearImpl(4, 3)
//     fc->weight;                  // -> reaches the module
//     Tensor y = fc(x);            // calls fc->forward(x)
//     nn::Linear later{nullptr};   // empty until assigned, e.g. from register_module(...)
// AG_MODULE(Linear) declares the holder class `Linear` for `LinearImpl`.
//
// Calling the holder, fc(x), is what PyTorch's module(x) is: forward between the module's forward
// pre-hooks and hooks (nn/module.h). fc->forward(x) skips the hooks, as module.forward(x) does.
// Both run inside the module's path scope while node metadata is recorded (core/autograd/scope.h),
// so anomaly mode and the profile can say an op ran in "decoder.layers.2.multihead_attn".
#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "ag/core/autograd/scope.h"
#include "ag/core/error.h"

namespace ag::nn {

class Module;

// While node metadata is recorded, pushes `module`'s dotted path as the current scope for its
// lifetime; otherwise does nothing. The path is found from the modules whose scopes are open: the
// nearest one whose subtree holds `module` gives the prefix (nn/module.cpp).
class ModuleScope {
 public:
  explicit ModuleScope(const Module& module);
  ~ModuleScope();
  ModuleScope(const ModuleScope&) = delete;
  ModuleScope& operator=(const ModuleScope&) = delete;

 private:
  std::optional<autograd::ScopeGuard> scope_;
};

// What holder-> returns: the module pointer, with the module's scope open until the end of the
// full expression. So in `x = layer->forward_cached(h, cache)` the ops of forward_cached run in
// layer's scope. (C++ applies -> again to the returned object, reaching the module.)
template <typename Contained>
class ScopedModulePointer {
 public:
  explicit ScopedModulePointer(Contained* module) : module_(module), scope_(*module) {}
  Contained* operator->() const { return module_; }

 private:
  Contained* module_;
  ModuleScope scope_;
};

// module(args...): forward with hooks and scope (defined in nn/module.h).
template <typename M, typename... Args>
decltype(auto) call_module(M& module, Args&&... args);

template <typename Contained>
class ModuleHolder {
 public:
  using ContainedType = Contained;

  // Default-constructs the module when it has a default constructor (Sequential(), ReLU()).
  ModuleHolder() requires std::is_default_constructible_v<Contained> : impl_(std::make_shared<Contained>()) {}
  // An empty holder, to be assigned later.
  ModuleHolder(std::nullptr_t) : impl_(nullptr) {}  // NOLINT: implicit, so `Linear fc = nullptr` works
  ModuleHolder(std::shared_ptr<Contained> module) : impl_(std::move(module)) {}  // NOLINT: implicit
  // Forwards the arguments to Contained's constructor. A single holder argument is a copy instead.
  template <typename Head, typename... Tail>
    requires(std::is_constructible_v<Contained, Head, Tail...> &&
             !(sizeof...(Tail) == 0 && std::is_base_of_v<ModuleHolder, std::decay_t<Head>>))
  explicit ModuleHolder(Head&& head, Tail&&... tail)
      : impl_(std::make_shared<Contained>(std::forward<Head>(head), std::forward<Tail>(tail)...)) {}

  ScopedModulePointer<Contained> operator->() const { return ScopedModulePointer<Contained>(get()); }
  Contained& operator*() const { return *get(); }
  Contained* get() const {
    AG_CHECK(impl_ != nullptr, "ModuleHolder: accessing an empty holder (it was made from nullptr and never "
             "assigned a module)");
    return impl_.get();
  }
  const std::shared_ptr<Contained>& ptr() const { return impl_; }
  bool is_empty() const noexcept { return impl_ == nullptr; }
  explicit operator bool() const noexcept { return !is_empty(); }

  // fc(x) runs fc->forward(x) with fc's hooks, whatever forward's arguments are.
  template <typename... Args>
  decltype(auto) operator()(Args&&... args) const {
    return call_module(*get(), std::forward<Args>(args)...);
  }
  // list[i] is (*list)[i], for containers.
  template <typename Arg>
  decltype(auto) operator[](Arg&& arg) const {
    return (*get())[std::forward<Arg>(arg)];
  }

 protected:
  std::shared_ptr<Contained> impl_;
};

}  // namespace ag::nn

// Declares `class Name : public ModuleHolder<NameImpl>` with all of the holder's constructors, plus
// a conversion from ModuleHolder<NameImpl> so `fc = register_module("fc", Linear(4, 3))` assigns.
#define AG_MODULE(Name)                                                                       \
  class Name : public ::ag::nn::ModuleHolder<Name##Impl> {                                    \
   public:                                                                                    \
    using ::ag::nn::ModuleHolder<Name##Impl>::ModuleHolder;                                   \
    using Impl = Name##Impl;                                                                  \
    Name() = default; /* deleted unless NameImpl has a default constructor */                 \
    Name(const ::ag::nn::ModuleHolder<Name##Impl>& holder) /* NOLINT: implicit */             \
        : ::ag::nn::ModuleHolder<Name##Impl>(holder) {}                                       \
  }
