// Dropout (Srivastava et al. 2014), "inverted": in training each element is zeroed with probability p
// and the survivors are scaled by 1/(1-p), so evaluation needs no rescaling. The mask is drawn from
// the global generator, so a seed reproduces it; backward multiplies by the same mask.
#include "core/autograd/function.h"
#include "core/generator.h"
#include "core/ops/op_util.h"

namespace ag {

Tensor dropout(const Tensor& a, double p, bool training) {
  detail::check_defined(a, "dropout");
  AG_CHECK(p >= 0 && p <= 1, "dropout: probability must be between 0 and 1, got {}", p);
  if (!training || p == 0) return a;
  Tensor mask = empty(a.sizes(), a.dtype());
  dispatch_floating(a.dtype(), "dropout", [&]<typename T>() {
    T* m = mask.data_ptr<T>();
    const T scale = p == 1 ? T(0) : static_cast<T>(1.0 / (1.0 - p));
    Generator& gen = default_generator();
    for (int64_t i = 0, n = mask.numel(); i < n; ++i) m[i] = gen.uniform() < p ? T(0) : scale;
  });
  Tensor out = detail::binary_float(a, mask, "dropout", [](auto x, auto m) { return x * m; });
  return record("DropoutBackward", {a}, out, [mask](const Tensor& g) { return std::vector<Tensor>{mul(g, mask)}; });
}

}  // namespace ag
