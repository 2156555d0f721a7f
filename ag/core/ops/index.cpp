// Indexing: index_select, embedding and gather. Their backward is a scatter-add: each gradient row
// is added (not assigned) back to the row it was read from, so an index used twice gets both.
#include <cstring>

#include "ag/core/autograd/function.h"
#include "ag/core/ops/op_util.h"

namespace ag {

namespace {

std::vector<int64_t> checked_indices(const Tensor& index, int64_t size, const char* op, int64_t dim) {
  AG_CHECK(index.defined() && index.dtype() == kInt64, "{}: indices must be an int64 tensor, got {}", op,
           index.defined() ? dtype_name(index.dtype()) : "undefined");
  std::vector<int64_t> idx = index.to_vector<int64_t>();
  for (int64_t i : idx)
    AG_CHECK(i >= 0 && i < size, "{}: index {} is out of range for dim {} of size {}", op, i, dim, size);
  return idx;
}

// Row copies between contiguous (rows, width) blocks: dst[i] (+)= src[idx[i]] or dst[idx[i]] += src[i].
template <typename T>
void gather_rows(T* dst, const T* src, const std::vector<int64_t>& idx, int64_t width) {
  for (size_t i = 0; i < idx.size(); ++i) std::memcpy(dst + i * width, src + idx[i] * width, width * sizeof(T));
}
template <typename T>
void scatter_add_rows(T* dst, const T* src, const std::vector<int64_t>& idx, int64_t width) {
  for (size_t i = 0; i < idx.size(); ++i)
    for (int64_t j = 0; j < width; ++j) dst[idx[i] * width + j] += src[i * width + j];
}

}  // namespace

// a (.., n, ..) along dim with index (k) -> (.., k, ..).
Tensor index_select(const Tensor& a, int64_t dim_in, const Tensor& index) {
  detail::check_defined(a, "index_select");
  AG_CHECK(index.defined() && index.dim() <= 1, "index_select: index must be 1-D");
  int64_t dim = wrap_dim(dim_in, a.dim(), "index_select");
  std::vector<int64_t> idx = checked_indices(index, a.size(dim), "index_select", dim);
  // Work on (outer, n, inner) with dim in the middle: each selected "row" is inner elements wide.
  Tensor x = a.contiguous();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= a.size(d);
  for (int64_t d = dim + 1; d < a.dim(); ++d) inner *= a.size(d);
  Shape out_shape = a.sizes();
  out_shape[dim] = static_cast<int64_t>(idx.size());
  Tensor out = empty(out_shape, a.dtype());
  const int64_t n = a.size(dim), k = static_cast<int64_t>(idx.size());
  dispatch_all(a.dtype(), [&]<typename T>() {
    for (int64_t o = 0; o < outer; ++o)
      gather_rows<T>(out.data_ptr<T>() + o * k * inner, x.data_ptr<T>() + o * n * inner, idx, inner);
  });
  return record({"IndexSelect", autograd::flops::none}, {a}, out,
                [idx, shape = a.sizes(), outer, inner, n, k](const Tensor& g_in) {
    Tensor g = g_in.contiguous();
    Tensor grad = zeros(shape, g.dtype());
    dispatch_floating(g.dtype(), "index_select_backward", [&]<typename T>() {
      for (int64_t o = 0; o < outer; ++o)
        scatter_add_rows<T>(grad.data_ptr<T>() + o * n * inner, g.data_ptr<T>() + o * k * inner, idx, inner);
    });
    return std::vector<Tensor>{grad};
  });
}

// weight (V,E), indices (...) -> (...,E).
Tensor embedding(const Tensor& weight, const Tensor& indices) {
  detail::check_defined(weight, "embedding");
  AG_CHECK(weight.dim() == 2, "embedding: weight must be 2-D (num_embeddings, embedding_dim), got {}",
           shape_str(weight.sizes()));
  AG_CHECK(indices.defined(), "embedding: indices are undefined");
  Shape out_shape = indices.sizes();
  out_shape.push_back(weight.size(1));
  return index_select(weight, 0, indices.reshape({-1})).reshape(out_shape);
}

// out[.., j, ..] = a[.., index[.., j, ..], ..] along dim; index has a's shape except in dim.
Tensor gather(const Tensor& a, int64_t dim_in, const Tensor& index) {
  detail::check_defined(a, "gather");
  int64_t dim = wrap_dim(dim_in, a.dim(), "gather");
  AG_CHECK(index.defined() && index.dim() == a.dim(), "gather: index must have {} dims like the input", a.dim());
  for (int64_t d = 0; d < a.dim(); ++d)
    AG_CHECK(d == dim || index.size(d) == a.size(d), "gather: index shape {} must match input shape {} "
             "except in dim {}", shape_str(index.sizes()), shape_str(a.sizes()), dim);
  Tensor rows = detail::move_dim_to_end(a, dim);
  std::vector<int64_t> idx = checked_indices(detail::move_dim_to_end(index, dim), a.size(dim), "gather", dim);
  const int64_t n = a.size(dim), m = index.size(dim), count = m ? static_cast<int64_t>(idx.size()) / m : 0;
  Tensor out_rows = empty(detail::move_dim_to_end(index, dim).sizes(), a.dtype());
  dispatch_all(a.dtype(), [&]<typename T>() {
    const T* src = rows.data_ptr<T>();
    T* dst = out_rows.data_ptr<T>();
    for (int64_t r = 0; r < count; ++r)
      for (int64_t j = 0; j < m; ++j) dst[r * m + j] = src[r * n + idx[r * m + j]];
  });
  Tensor out = detail::move_end_to_dim(out_rows, dim);
  return record({"Gather", autograd::flops::none}, {a}, out,
                [idx, rows_shape = rows.sizes(), dim, n, m, count](const Tensor& g) {
    Tensor grad_rows = zeros(rows_shape, g.dtype());
    Tensor g_rows = detail::move_dim_to_end(g, dim);
    dispatch_floating(g.dtype(), "gather_backward", [&]<typename T>() {
      T* dst = grad_rows.data_ptr<T>();
      const T* src = g_rows.data_ptr<T>();
      for (int64_t r = 0; r < count; ++r)
        for (int64_t j = 0; j < m; ++j) dst[r * n + idx[r * m + j]] += src[r * m + j];
    });
    return std::vector<Tensor>{detail::move_end_to_dim(grad_rows, dim)};
  });
}

}  // namespace ag
