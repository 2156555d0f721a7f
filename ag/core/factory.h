// Factories: the ways to make a tensor from nothing, named as in libtorch.
#pragma once
#include <vector>

#include "ag/core/generator.h"
#include "ag/core/tensor.h"

namespace ag {

Tensor empty(const Shape& shape, TensorOptions options = {});  // uninitialised
Tensor zeros(const Shape& shape, TensorOptions options = {});
Tensor ones(const Shape& shape, TensorOptions options = {});
Tensor full(const Shape& shape, double value, TensorOptions options = {});
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);
Tensor scalar_tensor(double value, TensorOptions options = {});  // shape ()
// [start, end) in steps of `step`, like torch.arange.
Tensor arange(double start, double end, double step = 1.0, TensorOptions options = {});
Tensor arange(double end, TensorOptions options = {});

// Uniform on [0, 1) and standard normal, drawn from the global generator (ag::manual_seed) or, as
// libtorch's randn(size, generator, options), from `generator` (see core/generator.h).
Tensor rand(const Shape& shape, TensorOptions options = {});
Tensor rand(const Shape& shape, Generator generator, TensorOptions options = {});
Tensor randn(const Shape& shape, TensorOptions options = {});
Tensor randn(const Shape& shape, Generator generator, TensorOptions options = {});
// Integers uniform on [low, high), int64.
Tensor randint(int64_t low, int64_t high, const Shape& shape);
Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator generator);

// From flat data in row-major order; the shape's element count must match the data's size.
Tensor from_vector(const std::vector<float>& values, const Shape& shape, TensorOptions options = {});
Tensor from_vector(const std::vector<double>& values, const Shape& shape, TensorOptions options = kFloat64);
Tensor from_vector(const std::vector<int64_t>& values, const Shape& shape);
Tensor from_vector(const std::vector<bool>& values, const Shape& shape);

// A nested initializer list of numbers, e.g. ag::tensor({{1, 2}, {3, 4}}) has shape (2, 2).
class NestedList {
 public:
  template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
  NestedList(T value) : scalar_(static_cast<double>(value)), is_scalar_(true) {}  // NOLINT
  NestedList(std::initializer_list<NestedList> items) : items_(items) {}
  Shape shape() const;
  void flatten_into(std::vector<double>& out) const;

 private:
  double scalar_ = 0;
  bool is_scalar_ = false;
  std::vector<NestedList> items_;
};
Tensor tensor(const NestedList& values, TensorOptions options = {});

}  // namespace ag
