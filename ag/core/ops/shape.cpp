// Shape ops that copy: contiguous, clone, cat, stack; and split/chunk, which return views.
#include "ag/core/autograd/function.h"
#include "ag/core/ops/op_util.h"

namespace ag {

// A copy in row-major order. The gradient passes through unchanged.
Tensor Tensor::clone() const {
  detail::check_defined(*this, "clone");
  Tensor out = empty(sizes(), dtype());
  detail::copy_into(out, *this);
  return record({"Clone", autograd::flops::none}, {*this}, out, [](const Tensor& g) { return std::vector<Tensor>{g}; });
}

Tensor contiguous(const Tensor& a) {
  detail::check_defined(a, "contiguous");
  return a.is_contiguous() ? a : a.clone();
}

// (.., n_i, ..) for each input -> (.., sum n_i, ..). Backward: each input gets its slice of the gradient.
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim_in) {
  AG_CHECK(!tensors.empty(), "cat: expects a non-empty list of tensors");
  const Tensor& first = tensors[0];
  detail::check_defined(first, "cat");
  AG_CHECK(first.dim() > 0, "cat: zero-dimensional tensors cannot be concatenated; unsqueeze them or use stack");
  int64_t dim = wrap_dim(dim_in, first.dim(), "cat");
  Shape shape = first.sizes();
  shape[dim] = 0;
  std::vector<int64_t> lengths;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    detail::check_same_dtype(first, t, "cat");
    bool compatible = t.dim() == first.dim();
    for (int64_t d = 0; compatible && d < t.dim(); ++d) compatible = d == dim || t.size(d) == first.size(d);
    AG_CHECK(compatible, "cat: tensor {} has shape {} but tensor 0 has shape {}; all sizes must match "
             "except in dim {}", i, shape_str(t.sizes()), shape_str(first.sizes()), dim);
    lengths.push_back(t.size(dim));
    shape[dim] += t.size(dim);
  }
  Tensor out = empty(shape, first.dtype());
  int64_t offset = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    Tensor part = out.narrow(dim, offset, lengths[i]);
    detail::copy_into(part, tensors[i]);
    offset += lengths[i];
  }
  return record({"Cat", autograd::flops::none}, tensors, out, [dim, lengths](const Tensor& g) {
    std::vector<Tensor> grads;
    int64_t offset = 0;
    for (int64_t length : lengths) {
      grads.push_back(g.narrow(dim, offset, length));
      offset += length;
    }
    return grads;
  });
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  AG_CHECK(!tensors.empty(), "stack: expects a non-empty list of tensors");
  detail::check_defined(tensors[0], "stack");
  int64_t d = wrap_dim(dim, tensors[0].dim() + 1, "stack");
  std::vector<Tensor> expanded;
  for (size_t i = 0; i < tensors.size(); ++i) {
    AG_CHECK(tensors[i].defined() && tensors[i].sizes() == tensors[0].sizes(),
             "stack: tensor {} has shape {} but tensor 0 has shape {}; all must be equal", i,
             tensors[i].defined() ? shape_str(tensors[i].sizes()) : "undefined", shape_str(tensors[0].sizes()));
    expanded.push_back(tensors[i].unsqueeze(d));
  }
  return cat(expanded, d);
}

std::vector<Tensor> split(const Tensor& a, int64_t split_size, int64_t dim_in) {
  detail::check_defined(a, "split");
  AG_CHECK(split_size > 0, "split: split_size must be positive, got {}", split_size);
  int64_t dim = wrap_dim(dim_in, a.dim(), "split");
  std::vector<Tensor> parts;
  for (int64_t start = 0; start < a.size(dim); start += split_size)
    parts.push_back(a.narrow(dim, start, std::min(split_size, a.size(dim) - start)));
  return parts;
}

std::vector<Tensor> chunk(const Tensor& a, int64_t chunks, int64_t dim) {
  detail::check_defined(a, "chunk");
  AG_CHECK(chunks > 0, "chunk: the number of chunks must be positive, got {}", chunks);
  int64_t size = a.size(wrap_dim(dim, a.dim(), "chunk"));
  return split(a, std::max<int64_t>(1, (size + chunks - 1) / chunks), dim);
}

}  // namespace ag
