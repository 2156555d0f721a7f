// The trained forecaster on disk (model.safetensors in a run directory): its weights, its
// configuration, and what `forecast predict` must know of the series it was trained on.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "model.h"

namespace forecast {

struct LoadedModel {
  Forecaster model{nullptr};  // in eval mode
  std::string column;         // the value column it was trained on
  int64_t season = 0;
  nlohmann::json info;        // the step and validation scores it was saved at
  // The calibrated widening of its interval, in context standard deviations (0 in files without one).
  double interval_margin() const;
};

void save_model(const std::string& path, const ForecasterImpl& model, const std::string& column, int64_t season,
                const nlohmann::json& info);
// `path` is a weights file or a run directory (its model.safetensors).
LoadedModel load_model(const std::string& path);

}  // namespace forecast
