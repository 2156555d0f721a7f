// torch.nn.init's formulas (see init.h).
#include "ag/nn/init.h"

#include <cmath>

#include "ag/core/autograd/grad_mode.h"
#include "ag/core/factory.h"
#include "ag/core/ops.h"

namespace ag::nn::init {

double calculate_gain(const std::string& nonlinearity, double param) {
  if (nonlinearity == "linear" || nonlinearity == "sigmoid" || nonlinearity == "identity") return 1.0;
  if (nonlinearity == "tanh") return 5.0 / 3.0;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") return std::sqrt(2.0 / (1.0 + param * param));
  if (nonlinearity == "selu") return 3.0 / 4.0;
  throw Error(fmt::format("calculate_gain: unknown nonlinearity \"{}\"; use linear, identity, sigmoid, tanh, "
                          "relu, leaky_relu or selu", nonlinearity));
}

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t) {
  AG_CHECK(t.dim() >= 2, "calculate_fan_in_and_fan_out: fans need a weight with at least 2 dims, got shape {}",
           shape_str(t.sizes()));
  int64_t receptive = 1;
  for (int64_t d = 2; d < t.dim(); ++d) receptive *= t.size(d);
  return {t.size(1) * receptive, t.size(0) * receptive};
}

// Drawn in row-major order at t's dtype, as Tensor::uniform_ and normal_, so the global generator
// gives the same numbers either way.
Tensor uniform_(Tensor t, double a, double b, OptionalGenerator generator) {
  NoGradGuard no_grad;
  t.copy_(add(mul(rand(t.sizes(), generator.value_or(default_generator()), t.dtype()), b - a), a));
  return t;
}

Tensor normal_(Tensor t, double mean, double std, OptionalGenerator generator) {
  NoGradGuard no_grad;
  t.copy_(add(mul(randn(t.sizes(), generator.value_or(default_generator()), t.dtype()), std), mean));
  return t;
}

Tensor constant_(Tensor t, double value) {
  NoGradGuard no_grad;
  t.fill_(value);
  return t;
}

Tensor zeros_(Tensor t) { return constant_(std::move(t), 0.0); }
Tensor ones_(Tensor t) { return constant_(std::move(t), 1.0); }

namespace {

double xavier_std(const Tensor& t, double gain) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  return gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
}

double kaiming_std(const Tensor& t, double a, const std::string& mode, const std::string& nonlinearity) {
  AG_CHECK(mode == "fan_in" || mode == "fan_out", "kaiming init: mode must be \"fan_in\" or \"fan_out\", got \"{}\"",
           mode);
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  return calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(mode == "fan_in" ? fan_in : fan_out));
}

// A uniform distribution with standard deviation `std` spans [-sqrt(3) std, sqrt(3) std].
Tensor uniform_with_std_(Tensor t, double std, OptionalGenerator generator) {
  const double bound = std::sqrt(3.0) * std;
  return uniform_(std::move(t), -bound, bound, std::move(generator));
}

}  // namespace

Tensor xavier_uniform_(Tensor t, double gain, OptionalGenerator generator) {
  return uniform_with_std_(t, xavier_std(t, gain), std::move(generator));
}
Tensor xavier_normal_(Tensor t, double gain, OptionalGenerator generator) {
  return normal_(t, 0.0, xavier_std(t, gain), std::move(generator));
}

Tensor kaiming_uniform_(Tensor t, double a, const std::string& mode, const std::string& nonlinearity,
                        OptionalGenerator generator) {
  return uniform_with_std_(t, kaiming_std(t, a, mode, nonlinearity), std::move(generator));
}
Tensor kaiming_normal_(Tensor t, double a, const std::string& mode, const std::string& nonlinearity,
                       OptionalGenerator generator) {
  return normal_(t, 0.0, kaiming_std(t, a, mode, nonlinearity), std::move(generator));
}

}  // namespace ag::nn::init
