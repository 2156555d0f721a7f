// softmax and log_softmax along a dim: fused, numerically stable row kernels (kernels/softmax.h)
// with their own backward. The composed twin, exp(x - max) / sum(exp(x - max)), is checked against
// them in tests/core/test_softmax.cpp.
#include "ag/core/autograd/function.h"
#include "ag/core/kernels/softmax.h"
#include "ag/core/ops/op_util.h"

namespace ag {

namespace {

Tensor softmax_impl(const Tensor& a, int64_t dim_in, bool log, const char* op) {
  detail::check_defined(a, op);
  if (a.dim() == 0) return softmax_impl(a.reshape({1}), 0, log, op).reshape({});
  const int64_t dim = wrap_dim(dim_in, a.dim(), op);
  Tensor x = detail::move_dim_to_end(a, dim);
  Tensor y = empty(x.sizes(), a.dtype());
  const int64_t n = a.size(dim), rows = n ? a.numel() / n : 0;
  dispatch_floating(a.dtype(), op, [&]<typename T>() {
    kernels::softmax_forward<T>(y.data_ptr<T>(), x.data_ptr<T>(), rows, n, log);
  });
  Tensor out = detail::move_end_to_dim(y, dim);
  return record({log ? "LogSoftmax" : "Softmax", autograd::flops::per_output<5>}, {a}, out,
                [sy = SavedTensor(y), dim, log, rows, n, op](const Tensor& g) {
                  Tensor y = sy.unpack();
                  Tensor dy = detail::move_dim_to_end(g, dim);
                  Tensor dx = empty(y.sizes(), y.dtype());
                  dispatch_floating(y.dtype(), op, [&]<typename T>() {
                    kernels::softmax_backward<T>(dx.data_ptr<T>(), y.data_ptr<T>(), dy.data_ptr<T>(), rows, n, log);
                  });
                  return std::vector<Tensor>{detail::move_end_to_dim(dx, dim)};
                });
}

}  // namespace

Tensor softmax(const Tensor& a, int64_t dim) { return softmax_impl(a, dim, false, "softmax"); }
Tensor log_softmax(const Tensor& a, int64_t dim) { return softmax_impl(a, dim, true, "log_softmax"); }

}  // namespace ag
