// Containers: Sequential (a chain of single-input layers) and ModuleList (layers indexed by number),
// as in torch.nn. Their elements are registered as submodules named "0", "1", ..., so parameter
// names read "layers.0.linear1.weight" as in PyTorch.
//     nn::Sequential mlp(nn::Linear(4, 8), nn::ReLU(), nn::Linear(8, 2));
//     Tensor y = mlp(x);                                  // (N,4) -> (N,2)
//     nn::ModuleList layers;
//     layers->push_back(nn::Linear(4, 4));
//     for (const auto& layer : *layers) ...              // std::shared_ptr<Module>
//     layers->ptr<nn::LinearImpl>(0)->weight;            // typed access
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ag/nn/module.h"

namespace ag::nn {

// A container's element as its own type; throws naming the element if it is not one.
template <typename M>
std::shared_ptr<M> element_as(const std::shared_ptr<Module>& module, size_t index, const char* container) {
  auto typed = std::dynamic_pointer_cast<M>(module);
  AG_CHECK(typed != nullptr, "{}: element {} is a {}, not the type asked for", container, index,
           module->type_name());
  return typed;
}

class SequentialImpl : public Module {
 public:
  SequentialImpl() : Module("Sequential") {}
  // Sequential(Linear(4, 8), ReLU(), ...): holders or shared_ptrs of modules with Tensor forward(Tensor).
  template <typename... Modules>
    requires(sizeof...(Modules) > 0)
  explicit SequentialImpl(Modules&&... modules) : Module("Sequential") {
    (push_back(std::forward<Modules>(modules)), ...);
  }

  template <typename M>
  void push_back(std::shared_ptr<M> module) {
    // M's forward, with its hooks, reached from the type-erased element.
    add(std::move(module), [](Module& m, const Tensor& x) { return call_module(static_cast<M&>(m), x); });
  }
  template <typename M>
  void push_back(const ModuleHolder<M>& module) { push_back(module.ptr()); }

  // Each layer's output feeds the next: x -> m0 -> m1 -> ... An empty Sequential is the identity.
  Tensor forward(const Tensor& x);
  size_t size() const { return elements_.size(); }
  // A Sequential of clones of the layers (each must be cloneable).
  std::shared_ptr<Module> clone() const override;
  std::shared_ptr<Module> ptr(size_t index) const;
  template <typename M> std::shared_ptr<M> ptr(size_t index) const { return element_as<M>(ptr(index), index, "Sequential"); }

 private:
  using Call = Tensor (*)(Module&, const Tensor&);
  void add(std::shared_ptr<Module> module, Call call);
  // Each layer with its call, made at push_back while the layer's type is known.
  std::vector<std::pair<Module*, Call>> elements_;
};
AG_MODULE(Sequential);

class ModuleListImpl : public Module {
 public:
  ModuleListImpl() : Module("ModuleList") {}
  template <typename... Modules>
    requires(sizeof...(Modules) > 0)
  explicit ModuleListImpl(Modules&&... modules) : Module("ModuleList") {
    (push_back(std::forward<Modules>(modules)), ...);
  }

  void push_back(std::shared_ptr<Module> module);
  template <typename M>
  void push_back(const ModuleHolder<M>& module) { push_back(std::shared_ptr<Module>(module.ptr())); }
  // A ModuleList of clones of the elements (each must be cloneable).
  std::shared_ptr<Module> clone() const override;

  size_t size() const { return modules_.size(); }
  bool is_empty() const { return modules_.empty(); }
  std::shared_ptr<Module> ptr(size_t index) const;
  std::shared_ptr<Module> operator[](size_t index) const { return ptr(index); }
  // The element as its own type (e.g. ptr<TransformerEncoderLayerImpl>(i)); throws if it is not one.
  template <typename M> std::shared_ptr<M> ptr(size_t index) const { return element_as<M>(ptr(index), index, "ModuleList"); }
  template <typename M> M& at(size_t index) const { return *ptr<M>(index); }
  auto begin() const { return modules_.begin(); }
  auto end() const { return modules_.end(); }

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};
AG_MODULE(ModuleList);

}  // namespace ag::nn
