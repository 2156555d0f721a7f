// Small modules for a Sequential, as libtorch's: Identity (x -> x), Flatten (a range of dims into
// one, e.g. (N,d1,d2,d3) -> (N,d1*d2*d3)) and Functional (any Tensor -> Tensor function as a layer):
//     nn::Sequential net(nn::Flatten(), nn::Linear(12, 4), nn::Functional([](const Tensor& x) { return x * 2; }));
#pragma once
#include <functional>

#include "ag/nn/module.h"

namespace ag::nn {

class IdentityImpl : public Cloneable<IdentityImpl> {
 public:
  IdentityImpl() : Cloneable("Identity") {}
  void reset() override {}
  Tensor forward(const Tensor& x) { return x; }
};
AG_MODULE(Identity);

struct FlattenOptions {
  AG_ARG(int64_t, start_dim) = 1;  // PyTorch's module default: keep the batch dim
  AG_ARG(int64_t, end_dim) = -1;
};

class FlattenImpl : public Cloneable<FlattenImpl> {
 public:
  explicit FlattenImpl(const FlattenOptions& options = {}) : Cloneable("Flatten"), options(options) {}
  void reset() override {}
  // (d0, ..., d_start, ..., d_end, ...) -> (d0, ..., d_start * ... * d_end, ...)
  Tensor forward(const Tensor& x) { return x.flatten(options.start_dim(), options.end_dim()); }
  std::string extra_repr() const override {
    return fmt::format("start_dim={}, end_dim={}", options.start_dim(), options.end_dim());
  }

  FlattenOptions options;
};
AG_MODULE(Flatten);

class FunctionalImpl : public Cloneable<FunctionalImpl> {
 public:
  using Function = std::function<Tensor(const Tensor&)>;
  explicit FunctionalImpl(Function function) : Cloneable("Functional"), function_(std::move(function)) {
    AG_CHECK(function_ != nullptr, "Functional: the function is empty");
  }
  void reset() override {}
  Tensor forward(const Tensor& x) { return function_(x); }

 private:
  Function function_;
};
AG_MODULE(Functional);

}  // namespace ag::nn
