#include "ag/core/ops/op_util.h"

namespace ag::detail {

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    AG_CHECK(da == db || da == 1 || db == 1,
             "{}: shapes {} and {} cannot be broadcast together (dim {} is {} vs {})", op, shape_str(a),
             shape_str(b), i, da, db);
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<int64_t> byte_strides_for(const Tensor& t, const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 0);
  size_t offset = shape.size() - t.sizes().size();
  auto elem = static_cast<int64_t>(element_size(t.dtype()));
  for (size_t d = 0; d < t.sizes().size(); ++d)
    if (t.sizes()[d] != 1) strides[d + offset] = t.strides()[d] * elem;
  return strides;
}

Tensor move_dim_to_end(const Tensor& t, int64_t dim) {
  if (dim == t.dim() - 1) return t.contiguous();
  Shape order;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (d != dim) order.push_back(d);
  order.push_back(dim);
  return t.permute(order).contiguous();
}

Tensor move_end_to_dim(const Tensor& t, int64_t dim) {
  // Output dim d comes from: d itself before `dim`, the last dim at `dim`, d - 1 after it.
  Shape order;
  for (int64_t d = 0; d < t.dim(); ++d) order.push_back(d < dim ? d : (d == dim ? t.dim() - 1 : d - 1));
  return t.permute(order);
}

void check_defined(const Tensor& t, const char* op) {
  AG_CHECK(t.defined(), "{}: got an undefined tensor", op);
}

void check_same_dtype(const Tensor& a, const Tensor& b, const char* op) {
  check_defined(a, op);
  check_defined(b, op);
  AG_CHECK(a.dtype() == b.dtype(), "{}: dtype mismatch: {} and {} (convert one with .to(dtype))", op,
           dtype_name(a.dtype()), dtype_name(b.dtype()));
}

}  // namespace ag::detail
