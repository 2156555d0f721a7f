#include "ag/core/gradcheck.h"

#include <cmath>

#include "ag/core/autograd/grad_mode.h"
#include "ag/core/factory.h"
#include "ag/core/generator.h"
#include "ag/core/ops.h"

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
  // The inputs are perturbed in place, as torch.autograd.gradcheck does, so they may be a module's
  // own parameters that `fn` reaches through the module. Their grads are restored afterwards.
  std::vector<Tensor> saved_grads;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = inputs[i];
    AG_CHECK(!t.requires_grad() || (t.dtype() == kFloat64 && t.is_leaf()),
             "gradcheck: input {} must be a float64 leaf (use .to(ag::kFloat64).detach().requires_grad_())", i);
    saved_grads.push_back(t.requires_grad() ? t.grad() : Tensor());
    if (t.requires_grad()) t.mutable_grad() = Tensor();
  }

  Tensor out = fn(inputs);
  AG_CHECK(out.defined() && out.dtype() == kFloat64, "gradcheck: the function must return a float64 tensor");
  Generator projection_rng(1234);  // a fixed projection: the check is repeatable
  std::vector<double> weights(out.numel());
  for (double& w : weights) w = projection_rng.uniform() + 0.5;
  Tensor projection = from_vector(weights, out.sizes());
  auto scalar = [&] { return sum(mul(fn(inputs), projection)).item<double>(); };
  sum(mul(out, projection)).backward();

  GradcheckResult result;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& input = inputs[i];
    if (!input.requires_grad()) continue;
    Tensor analytic = input.grad().defined() ? input.grad().contiguous() : zeros(input.sizes(), kFloat64);
    for (int64_t j = 0; j < input.numel(); ++j) {
      const Shape index = unravel(j, input.sizes());
      int64_t offset = 0;
      for (size_t d = 0; d < index.size(); ++d) offset += index[d] * input.stride(static_cast<int64_t>(d));
      double& x = input.data_ptr<double>()[offset];
      const double original = x;
      double plus, minus;
      {
        NoGradGuard no_grad;
        x = original + options.eps;
        plus = scalar();
        x = original - options.eps;
        minus = scalar();
        x = original;
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
              shape_str(input.sizes()), shape_str(index), exact, numeric);
        }
      }
    }
  }
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].requires_grad()) inputs[i].mutable_grad() = saved_grads[i];
  return result;
}

}  // namespace ag
