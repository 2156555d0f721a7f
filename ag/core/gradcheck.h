// gradcheck: is the analytic gradient right? Compares backward's gradients with central finite
// differences, (f(x + eps) - f(x - eps)) / (2 eps), element by element, in float64.
//
// The function may return a tensor of any shape; it is reduced to a scalar by a dot product with a
// fixed random tensor, so every output element's gradient is exercised. Use it on your own functions
// and modules:
//     auto result = ag::gradcheck([](const std::vector<ag::Tensor>& in) { return my_op(in[0]); }, {x});
//     if (!result.ok) std::cerr << result.message;
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "ag/core/tensor.h"

namespace ag {

struct GradcheckResult {
  bool ok = true;
  std::string message;  // on failure: the input, the worst element's index and both values
  double max_error = 0;  // the largest |analytic - numeric| / (atol + rtol |numeric|) seen
};

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
};

// Inputs with requires_grad must be float64 leaves; they are checked by perturbing them in place
// (restored afterwards, grads too), so a module's parameters can be passed:
//     ag::gradcheck([&](const auto& in) { return layer->forward(in[0]); }, {x, layer->weight});
GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                          const std::vector<Tensor>& inputs, GradcheckOptions options = {});

}  // namespace ag
