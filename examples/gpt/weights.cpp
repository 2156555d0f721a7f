// Saving and loading the model with its configuration and vocabulary.
#include "weights.h"

#include <filesystem>

#include "ag/core/error.h"
#include "ag/core/serialize.h"

namespace gpt {

using nlohmann::json;

void save_model(const std::string& path, const GPTImpl& model, const CharCodec& codec, const json& info) {
  const ag::Metadata metadata = {{"format", "ag-gpt"},
                                 {"config", json(model.config).dump()},
                                 {"vocab", json(codec.pieces()).dump()},
                                 {"info", info.dump()}};
  save_safetensors(path, model.state_dict(), metadata);
}

LoadedModel load_model(const std::string& path) {
  const std::string file = std::filesystem::is_directory(path) ? path + "/model.safetensors" : path;
  AG_CHECK(std::filesystem::exists(file), "{} does not exist; give a weights file or a run directory from "
           "`gpt train --out`", file);
  const ag::SafetensorsFile loaded = ag::load_safetensors(file);
  const auto field = [&](const std::string& key) -> json {
    const auto it = loaded.metadata.find(key);
    AG_CHECK(it != loaded.metadata.end(), "{} has no '{}' in its metadata; it is not a model written by gpt", file,
             key);
    try {
      return key == "format" ? json(it->second) : json::parse(it->second);
    } catch (const json::exception& e) {
      throw ag::Error(fmt::format("{}: the metadata field '{}' is damaged ({})", file, key, e.what()));
    }
  };
  AG_CHECK(field("format") == "ag-gpt", "{} is a '{}' file, not a gpt model", file,
           field("format").get<std::string>());
  LoadedModel out;
  try {
    out.codec = CharCodec::from_pieces(field("vocab").get<std::vector<std::string>>());
    const auto config = field("config").get<ModelConfig>();
    AG_CHECK(config.vocab_size == out.codec.size(), "the model has {} tokens but the vocabulary {}",
             config.vocab_size, out.codec.size());
    out.model = GPT(config);
    out.model->load_state_dict(loaded.tensors);
    out.info = field("info");
  } catch (const json::exception& e) {
    throw ag::Error(fmt::format("{}: the metadata does not describe a gpt model ({})", file, e.what()));
  } catch (const ag::Error& e) {
    throw ag::Error(fmt::format("{}: {}", file, e.what()));
  }
  out.model->eval();
  return out;
}

}  // namespace gpt
