// Saving and loading the model with its configuration and tokens.
#include "weights.h"

#include <filesystem>

#include "ag/core/error.h"
#include "bounds.h"

namespace gpt {

using nlohmann::json;

namespace {

// The config must describe the file's weights before a model is built from it: a file of a few
// bytes could otherwise claim a model of gigabytes, built in full before its weights were found
// not to fit. (The heads are not visible in the weights, and cost nothing.)
void check_config_describes(const ModelConfig& c, const ag::TensorMap& tensors) {
  const auto check_shape = [&](const std::string& name, const ag::Shape& expected) {
    const auto it = tensors.find(name);
    AG_CHECK(it != tensors.end() && it->second.sizes() == expected, "the config says {} is {}, but the file {}",
             name, ag::shape_str(expected),
             it == tensors.end() ? "has no such tensor" : "holds " + ag::shape_str(it->second.sizes()));
  };
  check_shape("transformer.wte.weight", {c.vocab_size, c.n_embd});
  check_shape("transformer.wpe.weight", {c.block_size, c.n_embd});
  const auto has_block = [&](int64_t i) {
    return tensors.contains(fmt::format("transformer.h.{}.attn.c_attn.weight", i));
  };
  AG_CHECK(has_block(c.n_layer - 1) && !has_block(c.n_layer), "the config says n_layer is {}, but the file holds "
           "{} blocks", c.n_layer, has_block(c.n_layer) ? "more" : "fewer");
}

}  // namespace

ag::Metadata codec_metadata(const Codec& codec) {
  return {{"vocab", json(codec.pieces()).dump()}, {"tokenizer", codec.describe().dump()}};
}

Codec load_codec(const ag::train::SavedFile& checkpoint, const std::string& dir) {
  const json tokenizer = checkpoint.json_field("tokenizer"), vocab = checkpoint.json_field("vocab");
  try {
    return Codec::load(tokenizer, vocab, dir);
  } catch (const ag::Error& e) {
    throw ag::Error(fmt::format("{}: {}", checkpoint.path(), e.what()));
  }
}

void save_model(const std::string& path, const GPTImpl& model, const Codec& codec, const json& info) {
  ag::Metadata metadata = codec_metadata(codec);
  metadata.insert({{"format", "ag-gpt"}, {"config", json(model.config).dump()}, {"info", info.dump()}});
  save_safetensors(path, model.state_dict(), metadata);
}

LoadedModel load_model(const std::string& path) {
  const bool is_dir = std::filesystem::is_directory(path);
  const std::string file = is_dir ? path + "/model.safetensors" : path;
  AG_CHECK(std::filesystem::exists(file), "{} does not exist; give a weights file or a run directory from "
           "`gpt train --out`", file);
  const ag::SafetensorsFile loaded = ag::load_safetensors(file);
  const auto field = [&](const std::string& key, bool required = true) -> json {
    const auto it = loaded.metadata.find(key);
    AG_CHECK(it != loaded.metadata.end() || !required,
             "{} has no '{}' in its metadata; it is not a model written by gpt", file, key);
    if (it == loaded.metadata.end()) return nullptr;
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
    // A file from before SentencePiece has no "tokenizer": characters.
    const std::string dir = is_dir ? path : std::filesystem::path(file).parent_path().string();
    out.codec = Codec::load(field("tokenizer", false), field("vocab"), dir);
    const json config_json = field("config");
    check_model_config(config_json, "config");
    const auto config = config_json.get<ModelConfig>();
    AG_CHECK(config.vocab_size == out.codec.size(), "the model has {} tokens but the vocabulary {}",
             config.vocab_size, out.codec.size());
    check_config_describes(config, loaded.tensors);
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
