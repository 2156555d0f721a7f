// Sequential and ModuleList (see container.h).
#include "ag/nn/container.h"

namespace ag::nn {

namespace {
void check_index(size_t index, size_t size, const char* what) {
  AG_CHECK(index < size, "{}: index {} is out of range for {} elements", what, index, size);
}
}  // namespace

void SequentialImpl::add(std::shared_ptr<Module> module, Call call) {
  elements_.emplace_back(register_module(std::to_string(size()), std::move(module)).get(), call);
}

Tensor SequentialImpl::forward(const Tensor& x) {
  Tensor y = x;
  for (const auto& [module, call] : elements_) y = call(*module, y);
  return y;
}

std::shared_ptr<Module> SequentialImpl::clone() const {
  auto copy = std::make_shared<SequentialImpl>();
  for (const auto& [module, call] : elements_) copy->add(module->clone(), call);
  copy->train(is_training());
  return copy;
}

std::shared_ptr<Module> SequentialImpl::ptr(size_t index) const {
  check_index(index, size(), "Sequential");
  return named_children()[index].second;
}

void ModuleListImpl::push_back(std::shared_ptr<Module> module) {
  register_module(std::to_string(modules_.size()), module);
  modules_.push_back(std::move(module));
}

std::shared_ptr<Module> ModuleListImpl::clone() const {
  auto copy = std::make_shared<ModuleListImpl>();
  for (const auto& module : modules_) copy->push_back(module->clone());
  copy->train(is_training());
  return copy;
}

std::shared_ptr<Module> ModuleListImpl::ptr(size_t index) const {
  check_index(index, size(), "ModuleList");
  return modules_[index];
}

}  // namespace ag::nn
