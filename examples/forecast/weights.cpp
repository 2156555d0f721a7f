// Saving and loading the forecaster with its configuration (see weights.h).
#include "weights.h"

#include <cmath>
#include <filesystem>

#include "ag/core/error.h"
#include "ag/core/json_number.h"
#include "ag/train/checkpoint.h"

namespace forecast {

namespace {
const ag::train::FileFormat kModelFormat{"ag-forecast-model-1", "forecast"};
}

void save_model(const std::string& path, const ForecasterImpl& model, const std::string& column, int64_t season,
                const nlohmann::json& info) {
  ag::train::save_file(path, kModelFormat, model.state_dict(),
                       {{"config", nlohmann::json(model.config).dump()},
                        {"series", nlohmann::json{{"column", column}, {"season", season}}.dump()},
                        {"info", info.dump()}});
}

double LoadedModel::interval_margin() const {
  const nlohmann::json margin = info.value("interval_margin", nlohmann::json(0.0));
  AG_CHECK(margin.is_number() && std::isfinite(margin.get<double>()) && std::abs(margin.get<double>()) < 1e6,
           "the model's interval margin ({}) is not a number of standard deviations", margin.dump());
  return margin.get<double>();
}

LoadedModel load_model(const std::string& path) {
  const std::string file = std::filesystem::is_directory(path) ? path + "/model.safetensors" : path;
  AG_CHECK(std::filesystem::exists(file), "{} does not exist; give a weights file or a run directory from "
           "`forecast train --out`", file);
  const ag::train::SavedFile saved = ag::train::SavedFile::open(file, kModelFormat);
  LoadedModel out;
  try {
    const nlohmann::json series = saved.json_field("series");
    out.column = series.at("column").get<std::string>();
    out.season = ag::json_integer(series.at("season"), "the series' season", 1, 1 << 20);
    out.model = Forecaster(saved.json_field("config").get<ModelConfig>());
    out.model->load_state_dict(saved.tensors());
    out.info = saved.json_field("info");
    out.interval_margin();  // checked here, where an error names the file
  } catch (const nlohmann::json::exception& e) {
    throw ag::Error(fmt::format("{}: the metadata does not describe a forecaster ({})", file, e.what()));
  } catch (const ag::Error& e) {
    throw ag::Error(fmt::format("{}: {}", file, e.what()));
  }
  out.model->eval();
  return out;
}

}  // namespace forecast
