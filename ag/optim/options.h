// OptimizerOptions: the hyper-parameters of one parameter group, as libtorch's
// torch::optim::OptimizerOptions.
//
// Each optimizer has its own options struct with chained setters (`AdamOptions(1e-3).eps(1e-9)`).
// The optimizer keeps one copy per parameter group, so groups can differ (e.g. no weight decay
// on biases and norms), and a learning-rate schedule reaches any of them through get_lr/set_lr.
//
// An options struct derives from OptimizerCloneableOptions<Itself> and lists its fields once, one
// line each (type, name, default), in a list macro that AG_OPTIMIZER_FIELDS expands (sgd.h):
//     #define AG_SGD_FIELDS(FIELD) FIELD(double, lr, 0) FIELD(double, momentum, 0) ...
//     struct SGDOptions : OptimizerCloneableOptions<SGDOptions> {
//       AG_OPTIMIZER_FIELDS(AG_SGD_FIELDS)
//       ...
//     };
//     #undef AG_SGD_FIELDS
// Each line becomes a field with a chained setter and a getter (AG_ARG: `SGDOptions(0.1).momentum(0.9)`,
// `options.momentum()`) and an entry of the static `fields(self, f)`, which calls f("momentum",
// self.momentum_) for each field in turn; state_dict saving and loading ("param_groups.0.momentum",
// ...) come from `fields`, so a new field cannot be forgotten in one of them. (The list macro is the
// one piece of preprocessor work: C++ cannot make the named setters and the list of names from one
// declaration otherwise.)
#pragma once
#include <memory>
#include <string>

#include "ag/core/arg.h"
#include "ag/optim/state_dict.h"

// One line of a fields list as a field with its setter and getter, and as an entry of `fields`.
#define AG_OPTIMIZER_FIELD_ARG(T, name, default_value) AG_ARG(T, name) = default_value;
#define AG_OPTIMIZER_FIELD_VISIT(T, name, default_value) f(#name, self.name##_);
#define AG_OPTIMIZER_FIELDS(LIST)            \
  LIST(AG_OPTIMIZER_FIELD_ARG)               \
                                             \
 public:                                     \
  template <typename Self, typename F>       \
  static void fields(Self& self, F&& f) {    \
    LIST(AG_OPTIMIZER_FIELD_VISIT)           \
  }

namespace ag::optim {

struct OptimizerOptions {
  virtual ~OptimizerOptions() = default;
  virtual std::unique_ptr<OptimizerOptions> clone() const = 0;
  virtual double get_lr() const = 0;
  virtual void set_lr(double lr) = 0;
  // Throws an ag::Error naming the first invalid hyper-parameter (a negative lr, betas outside [0, 1)...).
  virtual void validate() const = 0;
  // Every field as "<prefix><name>" (see state_dict.h for the encoding).
  virtual void save(StateDict& out, const std::string& prefix) const = 0;
  virtual void load(StateReader& in, const std::string& prefix) = 0;
};

// Implements the OptimizerOptions plumbing from Derived's `fields` list.
template <typename Derived>
struct OptimizerCloneableOptions : OptimizerOptions {
  std::unique_ptr<OptimizerOptions> clone() const override { return std::make_unique<Derived>(self()); }
  double get_lr() const override { return self().lr(); }
  void set_lr(double lr) override { self().lr(lr); }
  void save(StateDict& out, const std::string& prefix) const override {
    Derived::fields(self(), [&](const char* name, const auto& value) { out[prefix + name] = state_value(value); });
  }
  void load(StateReader& in, const std::string& prefix) override {
    Derived::fields(self(), [&](const char* name, auto& value) { in.read(prefix + name, value); });
  }

 private:
  const Derived& self() const { return static_cast<const Derived&>(*this); }
  Derived& self() { return static_cast<Derived&>(*this); }
};

}  // namespace ag::optim
