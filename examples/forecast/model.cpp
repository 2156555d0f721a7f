// The patch Transformer forecaster and its pinball loss (see model.h).
#include "model.h"

#include <vector>

#include "ag/core/checked.h"
#include "ag/core/error.h"
#include "ag/core/factory.h"
#include "ag/core/json_number.h"
#include "ag/core/ops.h"

namespace forecast {

using ag::Tensor;
namespace nn = ag::nn;

void ModelConfig::validate(bool settled) const {
  const int64_t least = settled ? 1 : 0;  // 0: chosen from the series (settle in train.cpp)
  AG_CHECK(horizon >= least && horizon <= kMaxLength, "model: --horizon ({}) must be in [{}, {}]", horizon, least,
           kMaxLength);
  AG_CHECK(patch > 0 && patch <= kMaxLength, "model: --patch ({}) must be in [1, {}]", patch, kMaxLength);
  AG_CHECK(context >= least && context <= kMaxLength && context % patch == 0,
           "model: --context ({}) must be a positive multiple of --patch ({}), at most {}", context, patch, kMaxLength);
  AG_CHECK(calendar >= 0 && calendar <= 64, "model: {} calendar features (at most 64)", calendar);
  AG_CHECK(layers > 0 && layers <= 64, "model: --layers ({}) must be in [1, 64]", layers);
  AG_CHECK(width > 0 && width <= 4096 && heads > 0 && width % heads == 0,
           "model: --width ({}) must be a multiple of --heads ({}) in [1, 4096]", width, heads);
  AG_CHECK(feedforward > 0 && feedforward <= 16384, "model: --feedforward ({}) must be in [1, 16384]", feedforward);
  AG_CHECK(dropout >= 0 && dropout < 1, "model: --dropout ({}) must be in [0, 1)", dropout);
  AG_CHECK(level >= 0 && level <= kMaxLength, "model: --level ({}) must be in [0, {}]", level, kMaxLength);
  AG_CHECK(context == 0 || level <= context,  // context 0: not chosen yet
           "model: --level ({}) must not exceed --context ({})", level, context);
  AG_CHECK(hw.on || hw.history == 0, "model: --hw-history ({}) is for --hw-residual; give both", hw.history);
  if (!hw.on) return;
  AG_CHECK(hw.history >= 0 && hw.history <= kMaxLength, "model: --hw-history ({}) must be in [0, {}]", hw.history,
           kMaxLength);
  AG_CHECK(hw.alpha >= 0 && hw.alpha <= 1 && hw.beta >= 0 && hw.beta <= 1 && hw.gamma >= 0 && hw.gamma <= 1 - hw.alpha,
           "model: the Holt-Winters smoothing ({}, {}, {}) must lie in [0, 1] with gamma at most 1 - alpha", hw.alpha,
           hw.beta, hw.gamma);
  if (!settled) return;  // the season is --season's, settled from the series
  AG_CHECK(hw.season >= 2 && hw.season <= kMaxLength && 2 * hw.season <= context &&
               (hw.history == 0 || hw.history >= 2 * hw.season),
           "model: --hw-residual needs a --season ({}) of at least 2, and --context ({}) and --hw-history ({}, 0: "
           "all) of at least two seasons", hw.season, context, hw.history);
}

void to_json(nlohmann::json& j, const ModelConfig& c) {
  j = {{"context", c.context}, {"horizon", c.horizon}, {"patch", c.patch}, {"calendar", c.calendar},
       {"layers", c.layers}, {"heads", c.heads}, {"width", c.width}, {"feedforward", c.feedforward},
       {"dropout", c.dropout}, {"level", c.level}};
  if (c.hw.on)
    j["hw_residual"] = {{"history", c.hw.history}, {"season", c.hw.season}, {"alpha", c.hw.alpha},
                        {"beta", c.hw.beta}, {"gamma", c.hw.gamma}};
}

void from_json(const nlohmann::json& j, ModelConfig& c) {
  const auto integer = [&j](const char* key) {
    return ag::json_integer(j.at(key), fmt::format("model config: {}", key));
  };
  c.context = integer("context"), c.horizon = integer("horizon"), c.patch = integer("patch");
  c.calendar = integer("calendar"), c.layers = integer("layers"), c.heads = integer("heads");
  c.width = integer("width"), c.feedforward = integer("feedforward");
  c.dropout = j.at("dropout").get<double>();
  // Files written before --level existed shifted by the window mean, which is level 0.
  c.level = j.contains("level") ? integer("level") : 0;
  // Files written before --hw-residual existed have no Holt-Winters base.
  c.hw = HoltWintersBase{};
  if (!j.contains("hw_residual")) return;
  const nlohmann::json& hw = j.at("hw_residual");
  c.hw.on = true;
  c.hw.history = ag::json_integer(hw.at("history"), "model config: hw_residual.history");
  c.hw.season = ag::json_integer(hw.at("season"), "model config: hw_residual.season");
  c.hw.alpha = hw.at("alpha").get<double>(), c.hw.beta = hw.at("beta").get<double>();
  c.hw.gamma = hw.at("gamma").get<double>();
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
