// Views: new shapes over the same storage, no data copied. Writing through a view is seen by the
// original. Each backward maps the gradient of the view back to the shape of its source.
#include <algorithm>
#include <numeric>

#include "ag/core/autograd/function.h"
#include "ag/core/ops/op_util.h"

namespace ag {

namespace {

Tensor make_view(const Tensor& a, Shape shape, Shape strides, int64_t offset) {
  // A new impl over the same storage: a view's own shape, strides and offset, no autograd state.
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = a.impl()->storage;
  impl->shape = std::move(shape);
  impl->strides = std::move(strides);
  impl->offset = offset;
  impl->dtype = a.dtype();
  return Tensor(impl);
}

// Fills in a single -1 and checks the element count.
Shape infer_shape(const Shape& shape, int64_t numel, const char* op, const Shape& from) {
  Shape out = shape;
  int64_t known = 1, unknown = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      AG_CHECK(unknown < 0, "{}: only one dimension can be -1, got {}", op, shape_str(shape));
      unknown = static_cast<int64_t>(i);
    } else {
      AG_CHECK(out[i] >= 0, "{}: invalid size {} in shape {}", op, out[i], shape_str(shape));
      known = checked_mul(known, out[i], op);
    }
  }
  if (unknown >= 0) {
    AG_CHECK(known > 0 && numel % known == 0, "{}: shape {} is invalid for input of shape {}", op,
             shape_str(shape), shape_str(from));
    out[unknown] = numel / known;
  }
  AG_CHECK(numel_of(out) == numel, "{}: shape {} is invalid for input of shape {} ({} elements)", op,
           shape_str(shape), shape_str(from), numel);
  return out;
}

}  // namespace

// (..) -> (shape); needs contiguous data. Backward: reshape the gradient back.
Tensor view(const Tensor& a, const Shape& shape_in) {
  detail::check_defined(a, "view");
  Shape shape = infer_shape(shape_in, a.numel(), "view", a.sizes());
  AG_CHECK(a.is_contiguous(), "view: the tensor of shape {} is not contiguous (e.g. after transpose); "
           "use reshape(), or call contiguous() first", shape_str(a.sizes()));
  Tensor out = make_view(a, shape, contiguous_strides(shape), a.storage_offset());
  return record({"View", autograd::flops::none}, {a}, out, [in = a.sizes()](const Tensor& g) {
    return std::vector<Tensor>{g.reshape(in)};
  });
}

// A view when the data is contiguous, otherwise a copy.
Tensor reshape(const Tensor& a, const Shape& shape) {
  detail::check_defined(a, "reshape");
  infer_shape(shape, a.numel(), "reshape", a.sizes());
  return view(a.is_contiguous() ? a : a.contiguous(), shape);
}

// Swapping two dims swaps their strides. The backward swaps them back.
Tensor transpose(const Tensor& a, int64_t d0_in, int64_t d1_in) {
  detail::check_defined(a, "transpose");
  int64_t d0 = wrap_dim(d0_in, a.dim(), "transpose"), d1 = wrap_dim(d1_in, a.dim(), "transpose");
  if (a.dim() == 0) return a;
  Shape shape = a.sizes(), strides = a.strides();
  std::swap(shape[d0], shape[d1]);
  std::swap(strides[d0], strides[d1]);
  Tensor out = make_view(a, shape, strides, a.storage_offset());
  return record({"Transpose", autograd::flops::none}, {a}, out, [d0, d1](const Tensor& g) {
    return std::vector<Tensor>{g.transpose(d0, d1)};
  });
}

// out dim i is a's dim dims[i]. Backward applies the inverse permutation.
Tensor permute(const Tensor& a, const Shape& dims_in) {
  detail::check_defined(a, "permute");
  AG_CHECK(static_cast<int64_t>(dims_in.size()) == a.dim(), "permute: got {} dims {} for a tensor with {} dims",
           dims_in.size(), shape_str(dims_in), a.dim());
  Shape dims(dims_in.size()), shape(dims_in.size()), strides(dims_in.size()), inverse(dims_in.size());
  std::vector<bool> seen(dims_in.size(), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    dims[i] = wrap_dim(dims_in[i], a.dim(), "permute");
    AG_CHECK(!seen[dims[i]], "permute: dim {} appears twice in {}", dims[i], shape_str(dims_in));
    seen[dims[i]] = true;
    shape[i] = a.size(dims[i]);
    strides[i] = a.stride(dims[i]);
    inverse[dims[i]] = static_cast<int64_t>(i);
  }
  Tensor out = make_view(a, shape, strides, a.storage_offset());
  return record({"Permute", autograd::flops::none}, {a}, out, [inverse](const Tensor& g) {
    return std::vector<Tensor>{g.permute(inverse)};
  });
}

// Elements start, start+step, ... < end along dim (clamped to the dim, as Python slicing).
// Backward: a zero gradient with the slice's gradient written into the same positions.
Tensor slice(const Tensor& a, int64_t dim_in, int64_t start, int64_t end, int64_t step) {
  detail::check_defined(a, "slice");
  AG_CHECK(a.dim() > 0, "slice: cannot slice a 0-dim tensor");
  AG_CHECK(step > 0, "slice: step must be positive, got {}", step);
  int64_t dim = wrap_dim(dim_in, a.dim(), "slice"), size = a.size(dim);
  if (start < 0) start += size;
  if (end < 0) end += size;
  start = std::clamp<int64_t>(start, 0, size);
  end = std::clamp<int64_t>(end, start, size);
  Shape shape = a.sizes(), strides = a.strides();
  shape[dim] = end == start ? 0 : (end - start - 1) / step + 1;  // ceil, without overflow for a huge step
  strides[dim] *= step;
  Tensor out = make_view(a, shape, strides, a.storage_offset() + start * a.stride(dim));
  return record({"Slice", autograd::flops::none}, {a}, out, [in = a.sizes(), dim, start, end, step](const Tensor& g) {
    Tensor grad = zeros(in, g.dtype());
    grad.slice(dim, start, end, step).copy_(g);
    return std::vector<Tensor>{grad};
  });
}

Tensor narrow(const Tensor& a, int64_t dim, int64_t start, int64_t length) {
  detail::check_defined(a, "narrow");
  int64_t d = wrap_dim(dim, a.dim(), "narrow");
  if (start < 0) start += a.size(d);
  AG_CHECK(start >= 0 && start <= a.size(d) && length >= 0 && length <= a.size(d) - start,
           "narrow: start {} + length {} exceeds dim {} of size {}", start, length, dim, a.size(d));
  return slice(a, d, start, start + length);
}

// Index `index` of dim, removing the dim. Backward: zeros with the gradient at that index.
Tensor select(const Tensor& a, int64_t dim_in, int64_t index) {
  detail::check_defined(a, "select");
  AG_CHECK(a.dim() > 0, "select: cannot select from a 0-dim tensor");
  int64_t dim = wrap_dim(dim_in, a.dim(), "select"), size = a.size(dim);
  AG_CHECK(index >= -size && index < size, "select: index {} is out of range for dim {} of size {}", index,
           dim_in, size);
  if (index < 0) index += size;
  Shape shape = a.sizes(), strides = a.strides();
  shape.erase(shape.begin() + dim);
  strides.erase(strides.begin() + dim);
  Tensor out = make_view(a, shape, strides, a.storage_offset() + index * a.stride(dim));
  return record({"Select", autograd::flops::none}, {a}, out, [in = a.sizes(), dim, index](const Tensor& g) {
    Tensor grad = zeros(in, g.dtype());
    grad.select(dim, index).copy_(g);
    return std::vector<Tensor>{grad};
  });
}

Tensor unsqueeze(const Tensor& a, int64_t dim_in) {
  detail::check_defined(a, "unsqueeze");
  int64_t dim = wrap_dim(dim_in, a.dim() + 1, "unsqueeze");
  Shape shape = a.sizes(), strides = a.strides();
  int64_t stride = dim < a.dim() ? a.stride(dim) * a.size(dim) : 1;
  shape.insert(shape.begin() + dim, 1);
  strides.insert(strides.begin() + dim, stride);
  Tensor out = make_view(a, shape, strides, a.storage_offset());
  return record({"Unsqueeze", autograd::flops::none}, {a}, out, [dim](const Tensor& g) {
    return std::vector<Tensor>{g.squeeze(dim)};
  });
}

// Removes dim if its size is 1 (otherwise returns the tensor unchanged, as torch.squeeze).
Tensor squeeze(const Tensor& a, int64_t dim_in) {
  detail::check_defined(a, "squeeze");
  if (a.dim() == 0) return a;
  int64_t dim = wrap_dim(dim_in, a.dim(), "squeeze");
  if (a.size(dim) != 1) return a;
  Shape shape = a.sizes(), strides = a.strides();
  shape.erase(shape.begin() + dim);
  strides.erase(strides.begin() + dim);
  Tensor out = make_view(a, shape, strides, a.storage_offset());
  return record({"Squeeze", autograd::flops::none}, {a}, out, [dim](const Tensor& g) {
    return std::vector<Tensor>{g.unsqueeze(dim)};
  });
}

// Stretches size-1 dims (stride 0) and prepends new ones; -1 keeps a dim. Backward sums them back.
Tensor expand(const Tensor& a, const Shape& shape_in) {
  detail::check_defined(a, "expand");
  int64_t lead = static_cast<int64_t>(shape_in.size()) - a.dim();
  AG_CHECK(lead >= 0, "expand: cannot expand shape {} to fewer dims {}", shape_str(a.sizes()), shape_str(shape_in));
  Shape shape = shape_in, strides(shape_in.size(), 0);
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (d < lead) {
      AG_CHECK(shape[d] >= 0, "expand: invalid size -1 for a new leading dim in {}", shape_str(shape_in));
      continue;
    }
    int64_t src = a.size(d - lead);
    if (shape[d] == -1) shape[d] = src;
    AG_CHECK(src == shape[d] || src == 1, "expand: the size of dim {} ({}) must match {} or be 1 "
             "(expanding {} to {})", d, src, shape[d], shape_str(a.sizes()), shape_str(shape_in));
    strides[d] = src == shape[d] ? a.stride(d - lead) : 0;
  }
  if (shape == a.sizes()) return a;
  Tensor out = make_view(a, shape, strides, a.storage_offset());
  return record({"Expand", autograd::flops::none}, {a}, out, [in = a.sizes()](const Tensor& g) {
    return std::vector<Tensor>{sum_to(g, in)};
  });
}

}  // namespace ag
