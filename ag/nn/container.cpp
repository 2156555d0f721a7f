// Sequential and ModuleList (see container.h).
#include "ag/nn/container.h"

namespace ag::nn {

namespace {
void check_index(size_t index, size_t size, const char* what) {
  AG_CHECK(index < size, "{}: index {} is out of range for {} elements", what, index, size);
}
}  // namespace

Tensor SequentialImpl::forward(const Tensor& x) {
  Tensor y = x;
  for (const auto& f : forwards_) y = f(y);
  return y;
}

std::shared_ptr<Module> SequentialImpl::ptr(size_t index) const {
  check_index(index, size(), "Sequential");
  return named_children()[index].second;
}

void ModuleListImpl::push_back(std::shared_ptr<Module> module) {
  register_module(std::to_string(modules_.size()), module);
  modules_.push_back(std::move(module));
}

std::shared_ptr<Module> ModuleListImpl::ptr(size_t index) const {
  check_index(index, size(), "ModuleList");
  return modules_[index];
}

}  // namespace ag::nn
