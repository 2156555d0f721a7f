// Parameter initialisation, as torch.nn.init: PyTorch's formulas, drawing from ag's global
// generator (ag::manual_seed), so a seeded run initialises the same way every time, or from the
// `generator` given last, as torch.nn.init's generator= argument (see core/generator.h).
//
// Each function fills `t` in place under NoGradGuard (so it works on parameters that require grad)
// and returns it. Fans follow PyTorch: for a (out, in, k...) weight, fan_in = in * prod(k) and
// fan_out = out * prod(k), so a Linear weight (out_features, in_features) has fan_in = in_features.
#pragma once
#include <string>
#include <utility>

#include <optional>

#include "ag/core/generator.h"
#include "ag/core/tensor.h"

namespace ag::nn::init {

// The recommended gain for a nonlinearity: "linear", "sigmoid" -> 1, "tanh" -> 5/3,
// "relu" -> sqrt(2), "leaky_relu" -> sqrt(2 / (1 + slope^2)) with slope = param (0.01 by default).
double calculate_gain(const std::string& nonlinearity, double param = 0.01);
// {fan_in, fan_out} of a weight with at least 2 dims.
std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t);

using OptionalGenerator = std::optional<Generator>;  // none: the global generator

Tensor uniform_(Tensor t, double a = 0.0, double b = 1.0, OptionalGenerator generator = {});      // U(a, b)
Tensor normal_(Tensor t, double mean = 0.0, double std = 1.0, OptionalGenerator generator = {});  // N(mean, std^2)
Tensor constant_(Tensor t, double value);
Tensor zeros_(Tensor t);
Tensor ones_(Tensor t);

// Glorot & Bengio (2010): std = gain * sqrt(2 / (fan_in + fan_out)); uniform on [-sqrt(3) std, sqrt(3) std].
Tensor xavier_uniform_(Tensor t, double gain = 1.0, OptionalGenerator generator = {});
Tensor xavier_normal_(Tensor t, double gain = 1.0, OptionalGenerator generator = {});
// He et al. (2015): std = gain / sqrt(fan), fan = fan_in or fan_out by `mode`, gain from
// calculate_gain(nonlinearity, a); uniform on [-sqrt(3) std, sqrt(3) std]. Linear's default is
// kaiming_uniform_(w, sqrt(5)), which works out to U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
Tensor kaiming_uniform_(Tensor t, double a = 0.0, const std::string& mode = "fan_in",
                        const std::string& nonlinearity = "leaky_relu", OptionalGenerator generator = {});
Tensor kaiming_normal_(Tensor t, double a = 0.0, const std::string& mode = "fan_in",
                       const std::string& nonlinearity = "leaky_relu", OptionalGenerator generator = {});

}  // namespace ag::nn::init
