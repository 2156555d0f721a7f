// The patch Transformer forecaster and its pinball loss (see model.h).
#include "model.h"

#include <vector>

#include "ag/core/checked.h"
#include "ag/core/error.h"
#include "ag/core/factory.h"
#include "ag/core/ops.h"

namespace forecast {

using ag::Tensor;
namespace nn = ag::nn;

void ModelConfig::validate(bool settled) const {
  ag::train::check_settings(ag::train::setting_specs<ModelConfig>(), ag::train::settings_to_json(*this));
  // 0: chosen from the series (settle in train.cpp); the ranges above accept it.
  AG_CHECK(!settled || horizon > 0, "model: --horizon must be at least 1 once the series is read, got 0");
  AG_CHECK(context % patch == 0 && (!settled || context > 0),
           "model: --context ({}) must be a positive multiple of --patch ({})", context, patch);
  AG_CHECK(width % heads == 0, "model: --width ({}) must be a multiple of --heads ({})", width, heads);
  AG_CHECK(context == 0 || level <= context,  // context 0: not chosen yet
           "model: --level ({}) must not exceed --context ({})", level, context);
  AG_CHECK(hw.on || hw.history == 0, "model: --hw-history ({}) is for --hw-residual; give both", hw.history);
  if (!hw.on) return;
  AG_CHECK(hw.gamma <= 1 - hw.alpha,
           "model: the Holt-Winters smoothing ({}, {}, {}) must lie in [0, 1] with gamma at most 1 - alpha", hw.alpha,
           hw.beta, hw.gamma);
  if (!settled) return;  // the season is --season's, settled from the series
  AG_CHECK(hw.season >= 2 && 2 * hw.season <= context && (hw.history == 0 || hw.history >= 2 * hw.season),
           "model: --hw-residual needs a --season ({}) of at least 2, and --context ({}) and --hw-history ({}, 0: "
           "all) of at least two seasons", hw.season, context, hw.history);
}

void to_json(nlohmann::json& j, const ModelConfig& c) {
  j = ag::train::settings_to_json(c);
  if (c.hw.on)
    j["hw_residual"].erase("on");
  else
    j.erase("hw_residual");
}

nlohmann::json saved_model_json(nlohmann::json config) {
  if (!config.is_object()) return config;  // for check_saved_settings to name
  if (!config.contains("level")) config["level"] = 0;  // shifted by the window mean, which is level 0
  if (config.contains("hw_residual")) {
    if (config["hw_residual"].is_object()) config["hw_residual"]["on"] = true;
  } else {
    config["hw_residual"] = ag::train::settings_to_json(ModelConfig{})["hw_residual"];  // off
  }
  return config;
}

void from_json(const nlohmann::json& j, ModelConfig& c) {
  const nlohmann::json config = saved_model_json(j);
  ag::train::check_saved_settings(ag::train::setting_specs<ModelConfig>(), config, "model config");
  ag::train::settings_from_json(config, c);
}

namespace {

// Refuses a model whose weights, gradients and AdamW's two moments (4 floats a parameter) would not
// fit in this machine's memory, before any of it is allocated. The count is the large matrices'
// (the patch embedding and positions, each layer's attention and feed-forward, the head).
void check_fits_in_memory(const ModelConfig& c) {
  const std::string what = fmt::format("a forecaster of context {}, patch {}, horizon {}, width {}, {} layers and "
                                       "feed-forward {} (weights, gradients and AdamW's moments)",
                                       c.context, c.patch, c.horizon, c.width, c.layers, c.feedforward);
  using ag::checked_add, ag::checked_mul;
  const int64_t E = c.width, N = c.patches();
  const int64_t layer = checked_add(checked_mul(4 * E, E, what), checked_mul(2 * E, c.feedforward, what), what);
  const int64_t embedding = checked_mul(c.patch + c.calendar + N, E, what);
  const int64_t head = checked_mul(checked_mul(N, E, what), c.horizon * static_cast<int64_t>(kQuantiles.size()), what);
  const int64_t parameters = checked_add(checked_add(embedding, checked_mul(c.layers, layer, what), what), head, what);
  ag::check_fits_in_memory(ag::checked_nbytes(checked_mul(parameters, 4, what), sizeof(float), what), what);
}

}  // namespace

ForecasterImpl::ForecasterImpl(const ModelConfig& c) : Module("Forecaster"), config(c) {
  config.validate();
  check_fits_in_memory(config);
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
