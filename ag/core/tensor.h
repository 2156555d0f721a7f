// Tensor: a handle to an n-dimensional array with an optional place in the autograd graph.
//
// Like libtorch, `ag::Tensor` is a cheap, reference-counted handle: copying it copies a pointer, and
// two handles may name the same tensor. The data lives in a Storage; a tensor is a *view* of it,
// described by a shape, strides (in elements) and an offset. Reshape, transpose, slice and friends
// make new views of the same storage, so writing through one view is seen by every other.
//
// Autograd state lives beside the data: `requires_grad`, the accumulated `.grad()` of a leaf, and
// `grad_fn()`, the Node that produced a non-leaf (see autograd/node.h and docs/autograd.md).
#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "ag/core/checked.h"
#include "ag/core/dtype.h"
#include "ag/core/error.h"
#include "ag/core/storage.h"

namespace ag {

using Shape = std::vector<int64_t>;
class Node;
struct TensorImpl;

// Options for factories, as in libtorch: `ag::zeros({2, 3}, ag::kFloat64)` or
// `ag::randn({4}, ag::TensorOptions().dtype(ag::kFloat64).requires_grad(true))`.
struct TensorOptions {
  Dtype dtype_ = kFloat32;
  bool requires_grad_ = false;

  TensorOptions() = default;
  TensorOptions(Dtype d) : dtype_(d) {}  // NOLINT: implicit, so a bare dtype works as options
  TensorOptions dtype(Dtype d) const { TensorOptions o = *this; o.dtype_ = d; return o; }
  TensorOptions requires_grad(bool r = true) const { TensorOptions o = *this; o.requires_grad_ = r; return o; }
};
inline TensorOptions dtype(Dtype d) { return TensorOptions(d); }
inline TensorOptions requires_grad(bool r = true) { return TensorOptions().requires_grad(r); }

class Tensor {
 public:
  Tensor() = default;  // an undefined tensor, like an empty grad
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // ---- metadata -------------------------------------------------------------------------------
  bool defined() const { return impl_ != nullptr; }
  const Shape& sizes() const;
  const Shape& strides() const;
  int64_t size(int64_t dim) const;
  int64_t stride(int64_t dim) const;
  int64_t dim() const;
  int64_t numel() const;
  int64_t storage_offset() const;
  Dtype dtype() const;
  bool is_contiguous() const;
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  uint64_t version() const;  // bumped by every in-place write to the storage

  // ---- data access ----------------------------------------------------------------------------
  // Pointer to the first element of this view (respecting the offset). Writing through it does not
  // bump the version counter; in-place ops below do.
  template <typename T> T* data_ptr() const;
  template <typename T> T item() const;
  double item() const { return item<double>(); }
  template <typename T> std::vector<T> to_vector() const;  // row-major copy of every element

  // ---- autograd -------------------------------------------------------------------------------
  bool requires_grad() const;
  Tensor& requires_grad_(bool requires_grad = true);
  const Tensor& grad() const;   // undefined until backward reaches this leaf
  Tensor& mutable_grad() const;  // for optimizers: set to Tensor() to free it, or modify in place
  const std::shared_ptr<Node>& grad_fn() const;
  bool is_leaf() const;
  void retain_grad() const;  // a non-leaf keeps its .grad() too
  bool retains_grad() const;
  // Runs reverse-mode differentiation from this tensor (see autograd/engine.h).
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false) const;
  // Calls `hook(grad)` when the gradient with respect to this tensor is computed; a defined return
  // value replaces the gradient. Returns nothing to remove: hooks live as long as the graph.
  void register_hook(std::function<Tensor(const Tensor&)> hook) const;
  // For a leaf: calls `hook(leaf)` each time backward has finished adding into leaf.grad(), so
  // leaf.grad() is this backward's complete gradient (PyTorch's register_post_accumulate_grad_hook).
  // Distributed data parallel starts sending a gradient from here while backward goes on.
  void register_post_accumulate_grad_hook(std::function<void(const Tensor&)> hook) const;
  Tensor detach() const;  // same storage, no graph

  // ---- conversions and copies -----------------------------------------------------------------
  Tensor clone() const;       // a contiguous copy; differentiable
  Tensor contiguous() const;  // this tensor if already contiguous, else a copy; differentiable
  Tensor to(Dtype dtype) const;  // differentiable between float types

  // ---- views (share storage; differentiable) --------------------------------------------------
  Tensor view(const Shape& shape) const;
  Tensor reshape(const Shape& shape) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor t() const;
  Tensor permute(const Shape& dims) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor slice(int64_t dim, int64_t start, int64_t end, int64_t step = 1) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor squeeze(int64_t dim) const;
  Tensor squeeze() const;
  Tensor expand(const Shape& shape) const;
  Tensor expand_as(const Tensor& other) const;
  std::vector<Tensor> split(int64_t split_size, int64_t dim = 0) const;
  std::vector<Tensor> chunk(int64_t chunks, int64_t dim = 0) const;

  // ---- math (see ops.h for the whole catalogue) -----------------------------------------------
  Tensor exp() const;
  Tensor log() const;
  Tensor sqrt() const;
  Tensor abs() const;
  Tensor tanh() const;
  Tensor sigmoid() const;
  Tensor relu() const;
  Tensor neg() const;
  Tensor pow(double exponent) const;
  Tensor clamp(double min, double max) const;
  Tensor sum() const;
  Tensor sum(const Shape& dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(const Shape& dims, bool keepdim = false) const;
  Tensor var(const Shape& dims, bool unbiased = true, bool keepdim = false) const;
  Tensor max() const;
  Tensor argmax(int64_t dim, bool keepdim = false) const;
  Tensor softmax(int64_t dim) const;
  Tensor log_softmax(int64_t dim) const;
  Tensor matmul(const Tensor& other) const;
  Tensor masked_fill(const Tensor& mask, double value) const;

  // ---- in-place (not recorded by autograd; bump the version counter) --------------------------
  Tensor& zero_();
  Tensor& fill_(double value);
  Tensor& copy_(const Tensor& src);
  Tensor& add_(const Tensor& other, double alpha = 1.0);
  Tensor& mul_(double value);
  Tensor& mul_(const Tensor& other);
  Tensor& masked_fill_(const Tensor& mask, double value);
  Tensor& uniform_(double from, double to);
  Tensor& normal_(double mean = 0.0, double std = 1.0);

  Tensor& operator+=(const Tensor& other) { return add_(other); }
  Tensor& operator-=(const Tensor& other) { return add_(other, -1.0); }
  Tensor& operator*=(const Tensor& other) { return mul_(other); }
  Tensor& operator*=(double value) { return mul_(value); }

 private:
  // The state behind the handle; an undefined tensor throws an ag::Error naming `accessor`, as
  // every op does, instead of dereferencing null.
  TensorImpl& state(const char* accessor) const;

  std::shared_ptr<TensorImpl> impl_;
};

// Clears the gradients of `params`, for Module::zero_grad and Optimizer::zero_grad: with set_to_none
// (the default, as in PyTorch 2) they are dropped and the next backward allocates fresh ones; else
// each defined gradient is filled with zeros in place.
void zero_grad(const std::vector<Tensor>& params, bool set_to_none = true);

// The state behind a Tensor handle. Learners: this struct *is* a tensor.
struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  Shape strides;  // in elements
  int64_t offset = 0;  // in elements
  Dtype dtype = kFloat32;

  // Makes this impl show `from`'s data (the five fields above), leaving the autograd state below.
  void share_data(const TensorImpl& from) {
    storage = from.storage;
    shape = from.shape;
    strides = from.strides;
    offset = from.offset;
    dtype = from.dtype;
  }

  // Autograd. A leaf that requires grad gets `grad` filled in by backward through its
  // AccumulateGrad node (created on first use, held weakly here). A non-leaf has a grad_fn.
  bool requires_grad = false;
  bool retains_grad = false;
  Tensor grad;
  std::shared_ptr<Node> grad_fn;
  std::weak_ptr<Node> grad_accumulator;
  // Gradient hooks of a leaf, run by its AccumulateGrad (a non-leaf's hooks live on its grad_fn).
  std::vector<std::function<Tensor(const Tensor&)>> grad_hooks;
  std::vector<std::function<void(const Tensor&)>> post_accumulate_grad_hooks;  // run after `grad` is updated
};

// ---- inline accessors ---------------------------------------------------------------------------
namespace detail {
[[noreturn]] void throw_undefined_tensor(const char* accessor);
}  // namespace detail

inline TensorImpl& Tensor::state(const char* accessor) const {
  if (!impl_) [[unlikely]] detail::throw_undefined_tensor(accessor);
  return *impl_;
}
inline const Shape& Tensor::sizes() const { return state("sizes").shape; }
inline const Shape& Tensor::strides() const { return state("strides").strides; }
inline int64_t Tensor::dim() const { return static_cast<int64_t>(state("dim").shape.size()); }
inline Dtype Tensor::dtype() const { return state("dtype").dtype; }
inline int64_t Tensor::storage_offset() const { return state("storage_offset").offset; }
inline uint64_t Tensor::version() const { return state("version").storage->version(); }

template <typename T>
T* Tensor::data_ptr() const {
  AG_CHECK(defined(), "data_ptr: the tensor is undefined");
  AG_CHECK(dtype_of<T>() == dtype(), "data_ptr: tensor is {} but the pointer type asked for is {}",
           dtype_name(dtype()), dtype_name(dtype_of<T>()));
  return static_cast<T*>(impl_->storage->data()) + impl_->offset;
}

// ---- helpers shared by ops ----------------------------------------------------------------------
// The number of elements of `shape`, checked (see checked.h): a negative size or more than 2^60
// elements is an ag::Error, never a wrapped product.
int64_t numel_of(const Shape& shape);
Shape contiguous_strides(const Shape& shape);  // row-major strides of a shape numel_of accepts
// Turns a possibly negative dim into 0..ndim-1, or throws naming `op`.
int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op);
// "(2, 3)" for messages.
std::string shape_str(const Shape& shape);

}  // namespace ag
