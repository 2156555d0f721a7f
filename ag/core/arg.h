// AG_ARG: the fields of an options struct with chained setters, as libtorch's TORCH_ARG.
// Inside `struct LinearOptions`, `AG_ARG(bool, bias) = true;` gives `options.bias(false)` (which
// returns the options, so setters chain: `LinearOptions(4, 3).bias(false)`) and `options.bias()`.
#pragma once

#define AG_ARG(T, name)                                                 \
 public:                                                                \
  auto name(const T& new_##name)->decltype(*this) {                     \
    this->name##_ = new_##name;                                         \
    return *this;                                                       \
  }                                                                     \
  const T& name() const noexcept { return this->name##_; }              \
  T& name() noexcept { return this->name##_; }                          \
                                                                        \
 private:                                                               \
  T name##_
