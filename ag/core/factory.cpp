// Factories: fresh contiguous tensors filled with constants, ranges, random numbers or given data.
#include "ag/core/factory.h"

#include <algorithm>
#include <cmath>

#include "ag/core/generator.h"
#include "ag/core/parallel.h"

namespace ag {

namespace {

// A leaf with the options' requires_grad flag (checked: only float tensors can require grad).
Tensor finish(Tensor t, const TensorOptions& options) {
  if (options.requires_grad_) t.requires_grad_(true);
  return t;
}

template <typename F>
Tensor fill_with(const Shape& shape, const TensorOptions& options, F value_at) {
  Tensor t = empty(shape, options.dtype_);
  dispatch_all(t.dtype(), [&]<typename T>() {
    T* p = t.data_ptr<T>();
    for (int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = static_cast<T>(value_at(i));
  });
  return finish(t, options);
}

}  // namespace

Tensor empty(const Shape& shape, TensorOptions options) {
  configure_threads_once();
  for (int64_t s : shape) AG_CHECK(s >= 0, "empty: negative dimension in shape {}", shape_str(shape));
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(numel_of(shape) * element_size(options.dtype_));
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = options.dtype_;
  return finish(Tensor(impl), options);
}

Tensor full(const Shape& shape, double value, TensorOptions options) {
  Tensor t = empty(shape, options.dtype_);
  dispatch_all(t.dtype(), [&]<typename T>() { std::fill_n(t.data_ptr<T>(), t.numel(), static_cast<T>(value)); });
  return finish(t, options);
}
Tensor zeros(const Shape& shape, TensorOptions options) { return full(shape, 0.0, options); }
Tensor ones(const Shape& shape, TensorOptions options) { return full(shape, 1.0, options); }
Tensor zeros_like(const Tensor& t) { return zeros(t.sizes(), t.dtype()); }
Tensor ones_like(const Tensor& t) { return ones(t.sizes(), t.dtype()); }
Tensor full_like(const Tensor& t, double value) { return full(t.sizes(), value, t.dtype()); }
Tensor scalar_tensor(double value, TensorOptions options) { return full({}, value, options); }

Tensor arange(double start, double end, double step, TensorOptions options) {
  AG_CHECK(step != 0, "arange: step must be non-zero");
  AG_CHECK((end - start) / step >= 0, "arange: the range [{}, {}) is empty or goes the wrong way "
           "for step {}", start, end, step);
  auto n = static_cast<int64_t>(std::ceil((end - start) / step));
  return fill_with({n}, options, [=](int64_t i) { return start + step * static_cast<double>(i); });
}
Tensor arange(double end, TensorOptions options) { return arange(0, end, 1, options); }

Tensor rand(const Shape& shape, Generator generator, TensorOptions options) {
  return fill_with(shape, options, [&generator](int64_t) { return generator.uniform(); });
}
Tensor randn(const Shape& shape, Generator generator, TensorOptions options) {
  return fill_with(shape, options, [&generator](int64_t) { return generator.normal(); });
}
Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator generator) {
  AG_CHECK(low < high, "randint: low ({}) must be less than high ({})", low, high);
  auto span = static_cast<uint64_t>(high - low);
  return fill_with(shape, kInt64, [&generator, low, span](int64_t) {
    return static_cast<double>(low + static_cast<int64_t>(generator.next_u64() % span));
  });
}
Tensor rand(const Shape& shape, TensorOptions options) { return rand(shape, default_generator(), options); }
Tensor randn(const Shape& shape, TensorOptions options) { return randn(shape, default_generator(), options); }
Tensor randint(int64_t low, int64_t high, const Shape& shape) {
  return randint(low, high, shape, default_generator());
}

namespace {
template <typename V>
Tensor from_values(const V& values, const Shape& shape, TensorOptions options) {
  AG_CHECK(numel_of(shape) == static_cast<int64_t>(values.size()),
           "from_vector: {} values do not fill shape {} ({} elements)", values.size(), shape_str(shape),
           numel_of(shape));
  return fill_with(shape, options, [&](int64_t i) { return values[i]; });
}
}  // namespace

Tensor from_vector(const std::vector<float>& v, const Shape& s, TensorOptions o) { return from_values(v, s, o); }
Tensor from_vector(const std::vector<double>& v, const Shape& s, TensorOptions o) { return from_values(v, s, o); }
Tensor from_vector(const std::vector<int64_t>& v, const Shape& s) { return from_values(v, s, kInt64); }
Tensor from_vector(const std::vector<bool>& v, const Shape& s) { return from_values(v, s, kBool); }

Shape NestedList::shape() const {
  if (is_scalar_) return {};
  Shape shape{static_cast<int64_t>(items_.size())};
  if (items_.empty()) return shape;
  Shape inner = items_[0].shape();
  for (const NestedList& item : items_)
    AG_CHECK(item.shape() == inner, "tensor: ragged nested list: found sub-lists of shapes {} and {}",
             shape_str(inner), shape_str(item.shape()));
  shape.insert(shape.end(), inner.begin(), inner.end());
  return shape;
}

void NestedList::flatten_into(std::vector<double>& out) const {
  if (is_scalar_) out.push_back(scalar_);
  for (const NestedList& item : items_) item.flatten_into(out);
}

Tensor tensor(const NestedList& values, TensorOptions options) {
  std::vector<double> flat;
  values.flatten_into(flat);
  return from_values(flat, values.shape(), options);
}

}  // namespace ag
