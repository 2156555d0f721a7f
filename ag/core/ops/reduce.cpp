// Reductions: sum, mean, var, max. Forward and backward side by side.
//
// The backward of a reduction broadcasts the output gradient back over the reduced dims: every input
// element contributed to its sum once, so it receives the sum's gradient (divided by N for a mean).
#include <algorithm>
#include <numeric>

#include "ag/core/autograd/function.h"
#include "ag/core/kernels/reduce.h"
#include "ag/core/ops/op_util.h"

namespace ag {

namespace {

// Sorted, de-duplicated, wrapped dims; an empty list means "all dims", as torch.sum(x, dim=[]).
std::vector<int64_t> normalize_dims(const Shape& dims, int64_t ndim, const char* op) {
  std::vector<int64_t> out;
  if (dims.empty()) {
    out.resize(ndim);
    std::iota(out.begin(), out.end(), 0);
    return out;
  }
  for (int64_t d : dims) out.push_back(wrap_dim(d, ndim, op));
  std::sort(out.begin(), out.end());
  AG_CHECK(std::adjacent_find(out.begin(), out.end()) == out.end(), "{}: dim appears twice in {}", op,
           shape_str(dims));
  return out;
}

// The output shape with the reduced dims kept as size 1.
Shape keepdim_shape(const Shape& shape, const std::vector<int64_t>& dims) {
  Shape out = shape;
  for (int64_t d : dims) out[d] = 1;
  return out;
}

Shape drop_dims(const Shape& shape, const std::vector<int64_t>& dims) {
  Shape out;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
    if (!std::binary_search(dims.begin(), dims.end(), d)) out.push_back(shape[d]);
  return out;
}

// Sum over `dims` (sorted), returned in keepdim shape. Adjacent dims reduce in place as
// (outer, reduce, inner); scattered dims are first permuted to the end.
Tensor sum_kernel(const Tensor& a, const std::vector<int64_t>& dims) {
  Tensor x = a;
  std::vector<int64_t> reduced = dims;
  bool adjacent = dims.empty() || dims.back() - dims.front() + 1 == static_cast<int64_t>(dims.size());
  if (!adjacent) {
    Shape order = drop_dims([&] { Shape all(a.dim()); std::iota(all.begin(), all.end(), 0); return all; }(), dims);
    int64_t kept = static_cast<int64_t>(order.size());
    order.insert(order.end(), dims.begin(), dims.end());
    x = a.permute(order);
    reduced.clear();
    for (int64_t d = kept; d < a.dim(); ++d) reduced.push_back(d);
  }
  x = x.contiguous();
  int64_t outer = 1, reduce = 1, inner = 1;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (!reduced.empty() && d < reduced.front()) outer *= x.size(d);
    else if (!reduced.empty() && d <= reduced.back()) reduce *= x.size(d);
    else inner *= x.size(d);
  }
  Tensor out = empty(keepdim_shape(a.sizes(), dims), a.dtype());
  dispatch_floating(a.dtype(), "sum", [&]<typename T>() {
    kernels::sum_middle<T>(out.data_ptr<T>(), x.data_ptr<T>(), outer, reduce, inner);
  });
  return out;
}

}  // namespace

// d(sum)/dx_i = 1: the gradient is the output gradient broadcast back over the reduced dims.
Tensor sum(const Tensor& a, const Shape& dims_in, bool keepdim) {
  detail::check_defined(a, "sum");
  std::vector<int64_t> dims = normalize_dims(dims_in, a.dim(), "sum");
  Tensor kept = sum_kernel(a, dims);
  Tensor out = keepdim ? kept : kept.reshape(drop_dims(a.sizes(), dims));
  return record({"Sum", autograd::flops::per_input<1>}, {a}, out,
                [in_shape = a.sizes(), kshape = kept.sizes()](const Tensor& g) {
    return std::vector<Tensor>{g.reshape(kshape).expand(in_shape)};
  });
}

Tensor sum(const Tensor& a) { return sum(a, {}, false); }

Tensor mean(const Tensor& a, const Shape& dims_in, bool keepdim) {
  detail::check_defined(a, "mean");
  std::vector<int64_t> dims = normalize_dims(dims_in, a.dim(), "mean");
  int64_t count = 1;
  for (int64_t d : dims) count *= a.size(d);
  AG_CHECK(count > 0, "mean: cannot take the mean of an empty tensor of shape {}", shape_str(a.sizes()));
  return mul(sum(a, dims_in, keepdim), 1.0 / static_cast<double>(count));
}

Tensor mean(const Tensor& a) { return mean(a, {}, false); }

// Composed from differentiable ops: var = sum((x - mean)^2) / (N - correction).
Tensor var(const Tensor& a, const Shape& dims_in, bool unbiased, bool keepdim) {
  detail::check_defined(a, "var");
  std::vector<int64_t> dims = normalize_dims(dims_in, a.dim(), "var");
  int64_t count = 1;
  for (int64_t d : dims) count *= a.size(d);
  int64_t denominator = count - (unbiased ? 1 : 0);
  AG_CHECK(denominator > 0, "var: need more than {} elements per reduction, got {}", unbiased ? 1 : 0, count);
  Tensor centered = sub(a, mean(a, dims_in, true));
  return mul(sum(mul(centered, centered), dims_in, keepdim), 1.0 / static_cast<double>(denominator));
}

// The maximum along dim goes through the element that achieved it: the gradient is scattered back to
// that index (the first one, on ties) and every other element gets zero.
std::tuple<Tensor, Tensor> max(const Tensor& a, int64_t dim_in, bool keepdim) {
  detail::check_defined(a, "max");
  if (a.dim() == 0) return max(a.reshape({1}), 0, false);
  int64_t dim = wrap_dim(dim_in, a.dim(), "max");
  AG_CHECK(a.size(dim) > 0, "max: cannot reduce over dim {} of size 0", dim_in);
  Tensor rows = detail::move_dim_to_end(a, dim);  // (..., n), contiguous
  const int64_t n = a.size(dim), count = a.numel() / n;
  Shape out_shape = drop_dims(a.sizes(), {dim});
  Tensor values = empty(out_shape, a.dtype()), indices = empty(out_shape, kInt64);
  dispatch_floating(a.dtype(), "max", [&]<typename T>() {
    kernels::max_rows<T>(values.data_ptr<T>(), indices.data_ptr<int64_t>(), rows.data_ptr<T>(), count, n);
  });
  values = record({"Max", autograd::flops::per_input<1>}, {a}, values,
                  [indices, shape = a.sizes(), dim](const Tensor& g_in) {
    Tensor g = g_in.contiguous();
    Tensor grad_rows = zeros(detail::move_dim_to_end(zeros(shape, g.dtype()), dim).sizes(), g.dtype());
    const int64_t n = shape[dim];
    dispatch_floating(g.dtype(), "max_backward", [&]<typename T>() {
      T* dst = grad_rows.data_ptr<T>();
      const T* src = g.data_ptr<T>();
      const int64_t* idx = indices.data_ptr<int64_t>();
      for (int64_t i = 0, count = g.numel(); i < count; ++i) dst[i * n + idx[i]] += src[i];
    });
    return std::vector<Tensor>{detail::move_end_to_dim(grad_rows, dim)};
  });
  if (keepdim) return {values.unsqueeze(dim), indices.unsqueeze(dim)};
  return {values, indices};
}

Tensor max(const Tensor& a) {
  detail::check_defined(a, "max");
  AG_CHECK(a.numel() > 0, "max: the tensor is empty");
  return std::get<0>(max(a.reshape({a.numel()}), 0, false));
}

Tensor argmax(const Tensor& a, int64_t dim, bool keepdim) { return std::get<1>(max(a, dim, keepdim)); }

// Sums the dims that broadcasting stretched, so `g` gets back the shape of the operand it came from.
Tensor sum_to(const Tensor& a, const Shape& shape) {
  if (a.sizes() == shape) return a;
  int64_t lead = a.dim() - static_cast<int64_t>(shape.size());
  AG_CHECK(lead >= 0, "sum_to: cannot reduce shape {} to {}", shape_str(a.sizes()), shape_str(shape));
  Shape dims;
  for (int64_t d = 0; d < a.dim(); ++d)
    if (d < lead || (shape[d - lead] == 1 && a.size(d) != 1)) dims.push_back(d);
  Tensor out = dims.empty() ? a : sum(a, dims, true);
  return out.reshape(shape);
}

}  // namespace ag
