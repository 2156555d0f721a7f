#include "core/gradcheck.h"

#include <cmath>

#include "core/autograd/grad_mode.h"
#include "core/factory.h"
#include "core/generator.h"
#include "core/ops.h"

namespace ag {

namespace {
// Flat row-major position -> multi-index, for messages.
Shape unravel(int64_t flat, const Shape& shape) {
  Shape index(shape.size());
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  return index;
}
}  // namespace

GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                          const std::vector<Tensor>& inputs, GradcheckOptions options) {
  for (size_t i = 0; i < inputs.size(); ++i)
    AG_CHECK(!inputs[i].requires_grad() || inputs[i].dtype() == kFloat64,
             "gradcheck: input {} is {}; finite differences need float64 (use .to(ag::kFloat64))", i,
             dtype_name(inputs[i].dtype()));

  // Fresh leaves so the check does not disturb the caller's grads.
  std::vector<Tensor> leaves;
  for (const Tensor& t : inputs) {
    Tensor leaf = t.detach().clone();
    if (t.requires_grad()) leaf.requires_grad_(true);
    leaves.push_back(leaf);
  }
  Tensor out = fn(leaves);
  AG_CHECK(out.defined() && out.dtype() == kFloat64, "gradcheck: the function must return a float64 tensor");
  Generator projection_rng(1234);  // a fixed projection: the check is repeatable
  std::vector<double> weights(out.numel());
  for (double& w : weights) w = projection_rng.uniform() + 0.5;
  Tensor projection = from_vector(weights, out.sizes());
  auto scalar = [&](const std::vector<Tensor>& in) { return sum(mul(fn(in), projection)).item<double>(); };

  sum(mul(out, projection)).backward();

  GradcheckResult result;
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (!leaves[i].requires_grad()) continue;
    Tensor analytic = leaves[i].grad().defined() ? leaves[i].grad().contiguous() : zeros(leaves[i].sizes(), kFloat64);
    double* x = leaves[i].data_ptr<double>();  // fresh contiguous leaf: we may perturb it directly
    for (int64_t j = 0; j < leaves[i].numel(); ++j) {
      const double saved = x[j];
      double plus, minus;
      {
        NoGradGuard no_grad;
        x[j] = saved + options.eps;
        plus = scalar(leaves);
        x[j] = saved - options.eps;
        minus = scalar(leaves);
        x[j] = saved;
      }
      const double numeric = (plus - minus) / (2 * options.eps);
      const double exact = analytic.data_ptr<double>()[j];
      const double error = std::abs(exact - numeric) / (options.atol + options.rtol * std::abs(numeric));
      if (error > result.max_error || std::isnan(error)) {
        result.max_error = std::isnan(error) ? INFINITY : error;
        if (result.max_error > 1) {
          result.ok = false;
          result.message = fmt::format(
              "gradcheck: input {} (shape {}), element {}: analytic gradient {:.8g} but numeric {:.8g}", i,
              shape_str(leaves[i].sizes()), shape_str(unravel(j, leaves[i].sizes())), exact, numeric);
        }
      }
    }
  }
  return result;
}

}  // namespace ag
