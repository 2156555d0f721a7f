// Tensor's methods: metadata, autograd state, and the libtorch-style method forms of the ops
// (`x.exp()` is `ag::exp(x)`), which live in ops.h.
#include "ag/core/tensor.h"

#include "ag/core/autograd/engine.h"
#include "ag/core/autograd/grad_mode.h"
#include "ag/core/autograd/node.h"
#include "ag/core/ops.h"

namespace ag {

namespace detail {
void throw_undefined_tensor(const char* accessor) {
  throw Error(fmt::format("{}: the tensor is undefined (default-constructed, or an empty grad)", accessor));
}
}  // namespace detail

int64_t numel_of(const Shape& shape) { return checked_numel(shape, "numel"); }

Shape contiguous_strides(const Shape& shape) {
  numel_of(shape);  // every stride below is a partial product of a checked numel, so none overflows
  Shape strides(shape.size());
  int64_t stride = 1;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    strides[d] = stride;
    stride *= shape[d];
  }
  return strides;
}

int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op) {
  int64_t lo = ndim == 0 ? -1 : -ndim, hi = ndim == 0 ? 0 : ndim - 1;
  AG_CHECK(dim >= lo && dim <= hi, "{}: dim {} is out of range for a tensor with {} dims (expected {} to {})",
           op, dim, ndim, lo, hi);
  return dim < 0 ? dim + std::max<int64_t>(ndim, 1) : dim;
}

std::string shape_str(const Shape& shape) {
  return fmt::format("({})", fmt::join(shape, ", "));
}

int64_t Tensor::size(int64_t d) const { return state("size").shape[wrap_dim(d, dim(), "size")]; }
int64_t Tensor::stride(int64_t d) const { return state("stride").strides[wrap_dim(d, dim(), "stride")]; }
int64_t Tensor::numel() const { return numel_of(state("numel").shape); }

bool Tensor::is_contiguous() const {
  state("is_contiguous");
  int64_t expected = 1;
  for (int64_t d = dim() - 1; d >= 0; --d) {
    if (impl_->shape[d] == 1) continue;
    if (impl_->strides[d] != expected) return false;
    expected *= impl_->shape[d];
  }
  return true;
}

template <typename T>
T Tensor::item() const {
  AG_CHECK(defined() && numel() == 1, "item: only a tensor with one element can be converted to a "
           "number, but this one has shape {}", defined() ? shape_str(sizes()) : "undefined");
  return dispatch_all(dtype(), [&]<typename S>() {
    return static_cast<T>(static_cast<S*>(impl_->storage->data())[impl_->offset]);
  });
}
template float Tensor::item<float>() const;
template double Tensor::item<double>() const;
template int64_t Tensor::item<int64_t>() const;
template bool Tensor::item<bool>() const;

template <typename T>
std::vector<T> Tensor::to_vector() const {
  Tensor c = to_dtype(*this, dtype_of<T>()).contiguous();
  const T* p = c.data_ptr<T>();
  return std::vector<T>(p, p + c.numel());
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;
template std::vector<uint8_t> Tensor::to_vector<uint8_t>() const;

// ---- autograd -----------------------------------------------------------------------------------
bool Tensor::requires_grad() const { return state("requires_grad").requires_grad; }

Tensor& Tensor::requires_grad_(bool requires_grad) {
  state("requires_grad_");
  AG_CHECK(is_leaf(), "requires_grad_: only a leaf's flag can be changed; this tensor was produced "
           "by {}. Use detach() to make a leaf", impl_->grad_fn->name());
  AG_CHECK(!requires_grad || is_floating(dtype()),
           "requires_grad_: only floating-point tensors can require grad, this one is {}", dtype_name(dtype()));
  impl_->requires_grad = requires_grad;
  return *this;
}

const Tensor& Tensor::grad() const { return state("grad").grad; }
Tensor& Tensor::mutable_grad() const { return state("mutable_grad").grad; }

void zero_grad(const std::vector<Tensor>& params, bool set_to_none) {
  NoGradGuard no_grad;
  for (const Tensor& p : params) {
    Tensor& grad = p.mutable_grad();
    if (set_to_none) grad = Tensor();
    else if (grad.defined()) grad.zero_();
  }
}
const std::shared_ptr<Node>& Tensor::grad_fn() const { return state("grad_fn").grad_fn; }
bool Tensor::is_leaf() const { return state("is_leaf").grad_fn == nullptr; }
bool Tensor::retains_grad() const { return state("retains_grad").retains_grad; }

void Tensor::retain_grad() const {
  AG_CHECK(requires_grad(), "retain_grad: the tensor does not require grad");
  if (is_leaf() || impl_->retains_grad) return;  // leaves keep their grad anyway
  impl_->retains_grad = true;
  std::weak_ptr<TensorImpl> weak = impl_;
  impl_->grad_fn->add_pre_hook([weak](const Tensor& grad) {
    if (auto impl = weak.lock()) impl->grad = impl->grad.defined() ? add(impl->grad, grad) : grad.clone();
    return Tensor();
  });
}

void Tensor::register_hook(std::function<Tensor(const Tensor&)> hook) const {
  AG_CHECK(requires_grad(), "register_hook: cannot register a hook on a tensor that does not require grad");
  if (is_leaf()) {
    impl_->grad_hooks.push_back(std::move(hook));
  } else {
    impl_->grad_fn->add_pre_hook(std::move(hook));
  }
}

void Tensor::register_post_accumulate_grad_hook(std::function<void(const Tensor&)> hook) const {
  AG_CHECK(requires_grad() && is_leaf(), "register_post_accumulate_grad_hook: only a leaf that requires "
           "grad accumulates a gradient; this tensor is {}", requires_grad() ? "not a leaf" : "not requiring grad");
  impl_->post_accumulate_grad_hooks.push_back(std::move(hook));
}

void Tensor::backward(const Tensor& gradient, bool retain_graph) const {
  autograd::backward(*this, gradient, retain_graph);
}

Tensor Tensor::detach() const {
  state("detach");
  auto impl = std::make_shared<TensorImpl>();
  impl->share_data(*impl_);
  return Tensor(impl);
}

// ---- method forms of the ops ----------------------------------------------------------------------
Tensor Tensor::contiguous() const { return ag::contiguous(*this); }
Tensor Tensor::to(Dtype d) const { return to_dtype(*this, d); }
Tensor Tensor::view(const Shape& s) const { return ag::view(*this, s); }
Tensor Tensor::reshape(const Shape& s) const { return ag::reshape(*this, s); }
Tensor Tensor::transpose(int64_t d0, int64_t d1) const { return ag::transpose(*this, d0, d1); }
Tensor Tensor::t() const {
  AG_CHECK(dim() <= 2, "t: expects a tensor with at most 2 dims, got shape {}", shape_str(sizes()));
  return dim() < 2 ? *this : ag::transpose(*this, 0, 1);
}
Tensor Tensor::permute(const Shape& dims) const { return ag::permute(*this, dims); }
Tensor Tensor::narrow(int64_t d, int64_t start, int64_t length) const { return ag::narrow(*this, d, start, length); }
Tensor Tensor::slice(int64_t d, int64_t start, int64_t end, int64_t step) const {
  return ag::slice(*this, d, start, end, step);
}
Tensor Tensor::select(int64_t d, int64_t index) const { return ag::select(*this, d, index); }
Tensor Tensor::unsqueeze(int64_t d) const { return ag::unsqueeze(*this, d); }
Tensor Tensor::squeeze(int64_t d) const { return ag::squeeze(*this, d); }
Tensor Tensor::squeeze() const {
  Shape kept;
  for (int64_t s : sizes())
    if (s != 1) kept.push_back(s);
  return ag::reshape(*this, kept);
}
Tensor Tensor::expand(const Shape& s) const { return ag::expand(*this, s); }
Tensor Tensor::expand_as(const Tensor& other) const { return ag::expand(*this, other.sizes()); }
std::vector<Tensor> Tensor::split(int64_t size, int64_t d) const { return ag::split(*this, size, d); }
std::vector<Tensor> Tensor::chunk(int64_t chunks, int64_t d) const { return ag::chunk(*this, chunks, d); }
Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  if (dim() == 0) return reshape({1});
  int64_t start = wrap_dim(start_dim, dim(), "flatten"), end = wrap_dim(end_dim, dim(), "flatten");
  AG_CHECK(start <= end, "flatten: start_dim {} comes after end_dim {}", start_dim, end_dim);
  Shape shape(sizes().begin(), sizes().begin() + start);
  int64_t merged = 1;
  for (int64_t d = start; d <= end; ++d) merged *= size(d);
  shape.push_back(merged);
  shape.insert(shape.end(), sizes().begin() + end + 1, sizes().end());
  return reshape(shape);
}

Tensor Tensor::exp() const { return ag::exp(*this); }
Tensor Tensor::log() const { return ag::log(*this); }
Tensor Tensor::sqrt() const { return ag::sqrt(*this); }
Tensor Tensor::abs() const { return ag::abs(*this); }
Tensor Tensor::tanh() const { return ag::tanh(*this); }
Tensor Tensor::sigmoid() const { return ag::sigmoid(*this); }
Tensor Tensor::relu() const { return ag::relu(*this); }
Tensor Tensor::neg() const { return ag::neg(*this); }
Tensor Tensor::pow(double e) const { return ag::pow(*this, e); }
Tensor Tensor::clamp(double lo, double hi) const { return ag::clamp(*this, lo, hi); }
Tensor Tensor::sum() const { return ag::sum(*this); }
Tensor Tensor::sum(const Shape& dims, bool keepdim) const { return ag::sum(*this, dims, keepdim); }
Tensor Tensor::mean() const { return ag::mean(*this); }
Tensor Tensor::mean(const Shape& dims, bool keepdim) const { return ag::mean(*this, dims, keepdim); }
Tensor Tensor::var(const Shape& dims, bool unbiased, bool keepdim) const {
  return ag::var(*this, dims, unbiased, keepdim);
}
Tensor Tensor::max() const { return ag::max(*this); }
Tensor Tensor::argmax(int64_t d, bool keepdim) const { return ag::argmax(*this, d, keepdim); }
Tensor Tensor::softmax(int64_t d) const { return ag::softmax(*this, d); }
Tensor Tensor::log_softmax(int64_t d) const { return ag::log_softmax(*this, d); }
Tensor Tensor::matmul(const Tensor& other) const { return ag::matmul(*this, other); }
Tensor Tensor::masked_fill(const Tensor& mask, double value) const { return ag::masked_fill(*this, mask, value); }

}  // namespace ag
