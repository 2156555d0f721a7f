// The forecaster: a Transformer encoder over patches of the context window (PatchTST, Nie et al.
// 2023, "A Time Series is Worth 64 Words"), with a linear head that reads every patch and emits
// three quantiles for each of the next H steps.
//
//   context (B,W), already normalised (see windows.h)
//   patches      (B,W) -> (B,N,P)                       N = W / P patches of P consecutive values
//   [+ calendar] (B,N,P) ++ (B,N,F) -> (B,N,P+F)        the calendar of each patch's last step
//   embed        Linear(P+F, E) + a learned position per patch, dropout      -> (B,N,E)
//   encoder      pre-LN Transformer layers (GELU), bidirectional, final LayerNorm  -> (B,N,E)
//   head         flatten (B,N*E) -> dropout -> Linear(N*E, H*3) -> (B,H,3)
//
// Why patches: a token of P values carries a local shape (a slope, a peak) that one value cannot,
// and attention then costs (W/P)^2 rather than W^2, which is what lets a context of two years of
// daily data fit on a CPU. Why a flat linear head rather than decoding step by step: the H steps
// come out at once, without feeding errors back in, and the head can copy "the same day one
// season ago" from the patch that holds it.
//
// The three outputs per step are the 0.1, 0.5 and 0.9 quantiles, trained with the pinball loss
// (pinball_loss below): the median is the point forecast, the outer two an 80% interval.
#pragma once
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "ag/nn/container.h"
#include "ag/nn/dropout.h"
#include "ag/nn/linear.h"
#include "ag/nn/transformer.h"
#include "ag/train/settings.h"

namespace forecast {

inline constexpr std::array<double, 3> kQuantiles = {0.1, 0.5, 0.9};
// The most values --context, --horizon and --patch may each span (a season may be longer).
inline constexpr int64_t kMaxLength = 65536;

// --hw-residual: the model forecasts what Holt-Winters' forecast misses (as ES-RNN, Smyl 2020, puts
// exponential smoothing beside a network). At each forecast origin, additive Holt-Winters with the
// smoothing fitted once on the training values is run over the values before the origin (the last
// `history`, 0: all), its initial states solved by least squares there, and forecasts H steps;
// the model's output, in the context's standard deviations, is added to that forecast, and its
// targets are what is left of the actual values. A model that outputs 0 forecasts exactly as
// Holt-Winters does, whose level and slope follow the latest values; what the network adds is
// what the smoothing cannot say.
struct HoltWintersBase {
  bool on = false;
  int64_t history = 0;  // the values before each origin it runs over (0: all); 0 or at least two seasons
  int64_t season = 0;   // set by train.cpp from --season
  double alpha = 0, beta = 0, gamma = 0;  // set by train.cpp: fitted on the training values
};

struct ModelConfig {
  int64_t context = 0;   // C, values the model sees; a multiple of patch (0: chosen from the season)
  int64_t horizon = 0;   // H, values it forecasts (0: one season)
  int64_t patch = 4;     // P, values per token
  int64_t calendar = 0;  // F, calendar features per token (0: none; set from the data, see series.h)
  int64_t layers = 2;
  int64_t heads = 4;
  int64_t width = 64;         // D
  int64_t feedforward = 128;  // the hidden width of each layer's feed-forward block
  double dropout = 0.1;
  // L: each window is shifted by the mean of its context's last L values (0: of all C; see windows.h).
  int64_t level = 0;
  HoltWintersBase hw;

  // Throws an ag::Error naming the first flag out of its range, or the first pair that do not fit
  // together. With `settled` false, 0 is also accepted where train.cpp chooses the value from the
  // series (--context, --horizon).
  void validate(bool settled = true) const;
  int64_t patches() const { return context / patch; }

  // Each setting once, with its flag of `forecast train`, its key in a weights file's `config` and
  // its range (ag/train/settings.h); `forecast train`'s own list takes these in at /model. The
  // Holt-Winters base sits at /hw_residual, which a file holds only when it is on (to_json).
  template <typename Self, typename Setting>
  static void settings(Self& o, Setting&& setting) {
    using ag::train::Range;
    constexpr auto kMost = static_cast<double>(kMaxLength);
    const std::string model = "Model";
    setting(o.horizon, {.flag = "--horizon", .key = "/horizon", .help = "values to forecast, H (0: one season)",
                        .range = Range{0, kMost}, .group = model});
    setting(o.context, {.flag = "--context", .key = "/context",
                        .help = "values the model sees, a multiple of --patch (0: max(3 seasons, 2H))",
                        .range = Range{0, kMost}, .group = model});
    setting(o.patch, {.flag = "--patch", .key = "/patch", .help = "values per Transformer token",
                      .range = Range{1, kMost}, .group = model});
    setting(o.calendar, {.key = "/calendar", .range = Range{0, 64}});  // set by train.cpp from the data
    setting(o.level, {.flag = "--level", .key = "/level",
                      .help = "shift each window by the mean of its last L values (0: all of them)",
                      .range = Range{0, kMost}, .group = model});
    setting(o.layers, {.flag = "--layers", .key = "/layers", .help = "Transformer layers", .range = Range{1, 64},
                       .group = model});
    setting(o.heads, {.flag = "--heads", .key = "/heads", .help = "attention heads (they divide --width)",
                      .range = Range{1, 4096}, .group = model});
    setting(o.width, {.flag = "--width", .key = "/width", .help = "token width", .range = Range{1, 4096},
                      .group = model});
    setting(o.feedforward, {.flag = "--feedforward", .key = "/feedforward",
                            .help = "hidden width of the feed-forward blocks", .range = Range{1, 16384},
                            .group = model});
    setting(o.dropout, {.flag = "--dropout", .key = "/dropout", .help = "dropout", .range = Range{0, 1, false, true},
                        .group = model});
    setting(o.hw.on, {.flag = "--hw-residual", .key = "/hw_residual/on",
                      .help = "forecast what Holt-Winters' forecast (smoothing fitted on the training values) misses",
                      .group = model});
    setting(o.hw.history, {.flag = "--hw-history", .key = "/hw_residual/history",
                           .help = "with --hw-residual: the values before each origin Holt-Winters runs over (0: all)",
                           .range = Range{0, kMost}, .group = model});
    // Set by train.cpp: --season, and the smoothing fitted on the training values.
    setting(o.hw.season, {.key = "/hw_residual/season", .range = Range{0, kMost}});
    setting(o.hw.alpha, {.key = "/hw_residual/alpha", .range = Range{0, 1}});
    setting(o.hw.beta, {.key = "/hw_residual/beta", .range = Range{0, 1}});
    setting(o.hw.gamma, {.key = "/hw_residual/gamma", .range = Range{0, 1}});
  }
};
// As JSON in weights files, from the list above, hw_residual present only when on (without its
// `on`), as every forecast so far wrote it. Reading takes the layout of any forecast so far (see
// saved_model_json) and holds every setting to its range first (an integer must be written as one:
// 2.0e19 is an error naming the key, never cast); validate(), which the forecaster's constructor
// calls, checks the settings together before anything is allocated.
void to_json(nlohmann::json& j, const ModelConfig& c);
void from_json(const nlohmann::json& j, ModelConfig& c);
// A model config as any forecast so far wrote it, in the settings list's layout: files from before
// --level have none (level 0), and hw_residual is there only when on (so `on` is its presence).
nlohmann::json saved_model_json(nlohmann::json config);

class ForecasterImpl : public ag::nn::Module {
 public:
  explicit ForecasterImpl(const ModelConfig& config);
  // context (B,W) and calendar (B,N,F) (undefined when F = 0) -> quantiles (B,H,3).
  ag::Tensor forward(const ag::Tensor& context, const ag::Tensor& calendar = {});

  ModelConfig config;
  ag::nn::Linear embed{nullptr};
  ag::Tensor position;  // (N,E)
  ag::nn::Dropout dropout{nullptr};
  ag::nn::TransformerEncoder encoder{nullptr};
  ag::nn::Linear head{nullptr};
};
AG_MODULE(Forecaster);

// The mean pinball loss of quantile forecasts (B,H,Q) against targets (B,H), the quantile levels
// kQuantiles along the last dim: mean of q e + max(-e, 0), e = target - forecast, which is q e for
// e >= 0 and (q - 1) e below (the same function ag::data::pinball_loss scores, here on tensors).
ag::Tensor pinball_loss(const ag::Tensor& forecast, const ag::Tensor& target);

}  // namespace forecast
