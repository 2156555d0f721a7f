// The patch Transformer forecaster and its pinball loss (see model.h).
#include "model.h"

#include <vector>

#include "ag/core/error.h"
#include "ag/core/factory.h"
#include "ag/core/json_number.h"
#include "ag/core/ops.h"

namespace forecast {

using ag::Tensor;
namespace nn = ag::nn;

void ModelConfig::validate() const {
  AG_CHECK(horizon > 0, "model: --horizon ({}) must be positive", horizon);
  AG_CHECK(patch > 0, "model: --patch ({}) must be positive", patch);
  AG_CHECK(context > 0 && context % patch == 0, "model: --context ({}) must be a positive multiple of --patch ({})",
           context, patch);
  AG_CHECK(calendar >= 0, "model: {} calendar features", calendar);
  AG_CHECK(layers > 0, "model: --layers ({}) must be positive", layers);
  AG_CHECK(width > 0 && heads > 0 && width % heads == 0, "model: --width ({}) must be a positive multiple of --heads ({})",
           width, heads);
  AG_CHECK(feedforward > 0, "model: --feedforward ({}) must be positive", feedforward);
  AG_CHECK(dropout >= 0 && dropout < 1, "model: --dropout ({}) must be in [0, 1)", dropout);
}

void to_json(nlohmann::json& j, const ModelConfig& c) {
  j = {{"context", c.context}, {"horizon", c.horizon}, {"patch", c.patch}, {"calendar", c.calendar},
       {"layers", c.layers}, {"heads", c.heads}, {"width", c.width}, {"feedforward", c.feedforward},
       {"dropout", c.dropout}};
}

void from_json(const nlohmann::json& j, ModelConfig& c) {
  constexpr int64_t kMost = 1 << 20;  // far beyond any sensible size, far below an overflow
  c.context = ag::json_integer(j.at("context"), "model config: context", 1, kMost);
  c.horizon = ag::json_integer(j.at("horizon"), "model config: horizon", 1, kMost);
  c.patch = ag::json_integer(j.at("patch"), "model config: patch", 1, kMost);
  c.calendar = ag::json_integer(j.at("calendar"), "model config: calendar", 0, 64);
  c.layers = ag::json_integer(j.at("layers"), "model config: layers", 1, 1024);
  c.heads = ag::json_integer(j.at("heads"), "model config: heads", 1, 1024);
  c.width = ag::json_integer(j.at("width"), "model config: width", 1, 1 << 16);
  c.feedforward = ag::json_integer(j.at("feedforward"), "model config: feedforward", 1, 1 << 16);
  c.dropout = j.at("dropout").get<double>();
  c.validate();
}

ForecasterImpl::ForecasterImpl(const ModelConfig& c) : Module("Forecaster"), config(c) {
  config.validate();
  const int64_t N = c.patches();
  embed = register_module("embed", nn::Linear(c.patch + c.calendar, c.width));
  position = register_parameter("position", ag::randn({N, c.width}) * 0.02);
  dropout = register_module("dropout", nn::Dropout(c.dropout));
  nn::TransformerEncoderLayerOptions layer(c.width, c.heads);
  layer.dim_feedforward(c.feedforward).dropout(c.dropout).activation("gelu").batch_first(true).norm_first(true);
  encoder = register_module("encoder", nn::TransformerEncoder(layer, c.layers, /*final_norm=*/true));
  head = register_module("head", nn::Linear(N * c.width, c.horizon * static_cast<int64_t>(kQuantiles.size())));
}

Tensor ForecasterImpl::forward(const Tensor& context, const Tensor& calendar) {
  const int64_t B = context.size(0), N = config.patches();
  AG_CHECK(context.dim() == 2 && context.size(1) == config.context, "forecaster: the context must be (B,{}), not {}",
           config.context, context.sizes());
  Tensor tokens = context.reshape({B, N, config.patch});  // (B,N,P)
  if (config.calendar > 0) {
    AG_CHECK(calendar.defined() && calendar.dim() == 3 && calendar.size(1) == N && calendar.size(2) == config.calendar,
             "forecaster: the model was trained with {} calendar features per patch; give a (B,{},{}) calendar",
             config.calendar, N, config.calendar);
    tokens = ag::cat({tokens, calendar}, 2);  // (B,N,P+F)
  }
  Tensor x = dropout(embed(tokens) + position);              // (B,N,E)
  x = encoder(x).reshape({B, N * config.width});              // (B,N*E)
  return head(dropout(x)).reshape({B, config.horizon, static_cast<int64_t>(kQuantiles.size())});  // (B,H,3)
}

Tensor pinball_loss(const Tensor& forecast, const Tensor& target) {
  AG_CHECK(forecast.dim() == 3 && target.dim() == 2 && forecast.size(0) == target.size(0) &&
               forecast.size(1) == target.size(1) && forecast.size(2) == static_cast<int64_t>(kQuantiles.size()),
           "pinball loss: forecasts {} do not fit targets {}", forecast.sizes(), target.sizes());
  const Tensor q = ag::from_vector(std::vector<double>(kQuantiles.begin(), kQuantiles.end()), {3},
                                   ag::TensorOptions().dtype(forecast.dtype()));
  const Tensor error = target.unsqueeze(2) - forecast;  // (B,H,3)
  return (error * q + ag::relu(-error)).mean();
}

}  // namespace forecast
