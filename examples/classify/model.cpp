// The Transformer encoder classifier, and its weights file; see model.h.
#include "model.h"

#include <algorithm>
#include <filesystem>

#include "ag/core/checked.h"
#include "ag/core/error.h"
#include "ag/core/factory.h"
#include "ag/core/ops.h"
#include "ag/train/checkpoint.h"

namespace classify {

namespace nn = ag::nn;
using ag::Tensor;
using nlohmann::json;

void ModelConfig::validate() const {
  ag::train::check_settings(ag::train::setting_specs<ModelConfig>(), ag::train::settings_to_json(*this));
  AG_CHECK(width % heads == 0, "--heads ({}) must divide --width ({})", heads, width);
}

void to_json(json& j, const ModelConfig& c) { j = ag::train::settings_to_json(c); }

void from_json(const json& j, ModelConfig& c) {
  ag::train::check_saved_settings(ag::train::setting_specs<ModelConfig>(), j, "model config");
  ag::train::settings_from_json(j, c);
}

namespace {

// Refuses a model whose weights, gradients and AdamW's two moments (4 floats a parameter) would not
// fit in this machine's memory, before any of it is allocated. The count is the large matrices'
// (embedding, each layer's attention and feed-forward, the head); biases and norms add little.
void check_fits_in_memory(const ModelConfig& c) {
  const std::string what = fmt::format("a classifier of {} pieces, width {}, {} layers, feed-forward {} and {} "
                                       "classes (weights, gradients and AdamW's moments)",
                                       c.vocab_size, c.width, c.layers, c.feedforward, c.num_classes);
  using ag::checked_add, ag::checked_mul;
  const int64_t E = c.width;
  const int64_t layer = checked_add(checked_mul(4 * E, E, what), checked_mul(2 * E, c.feedforward, what), what);
  const int64_t embedding = checked_mul(c.vocab_size, E, what), head = checked_mul(E, c.num_classes, what);
  const int64_t parameters = checked_add(checked_add(embedding, checked_mul(c.layers, layer, what), what), head, what);
  ag::check_fits_in_memory(ag::checked_nbytes(checked_mul(parameters, 4, what), sizeof(float), what), what);
}

}  // namespace

ClassifierImpl::ClassifierImpl(const ModelConfig& model_config) : Module("Classifier"), config(model_config) {
  config.validate();
  AG_CHECK(config.vocab_size > 4 && config.num_classes >= 2,
           "model: {} tokens and {} classes; a classifier needs a vocabulary and at least 2 classes",
           config.vocab_size, config.num_classes);
  check_fits_in_memory(config);
  // N(0, 1) embeddings, unscaled, are about as large as the sinusoids they are added to.
  embed = register_module("embed", nn::Embedding(nn::EmbeddingOptions(config.vocab_size, config.width).padding_idx(0)));
  position = register_module("position", nn::SinusoidalPositionalEncoding(
                                             nn::SinusoidalPositionalEncodingOptions(config.width)
                                                 .max_len(config.max_tokens)
                                                 .dropout(config.dropout)
                                                 .batch_first(true)));
  // Pre-LN trains stably at a constant learning rate from the first step (see transformer_layer.h).
  encoder = register_module("encoder", nn::TransformerEncoder(nn::TransformerEncoderLayerOptions(config.width, config.heads)
                                                                  .dim_feedforward(config.feedforward)
                                                                  .dropout(config.dropout)
                                                                  .activation("gelu")
                                                                  .norm_first(true)
                                                                  .batch_first(true),
                                                              config.layers, /*final_norm=*/true));
  dropout = register_module("dropout", nn::Dropout(config.dropout));
  head = register_module("head", nn::Linear(config.width, config.num_classes));
}

Tensor ClassifierImpl::forward(const Tensor& tokens) {
  AG_CHECK(tokens.dim() == 2 && tokens.size(1) <= config.max_tokens,
           "classifier: tokens must be (B,T) with T <= {}, got {} dims", config.max_tokens, tokens.dim());
  const int64_t B = tokens.size(0), T = tokens.size(1);
  const std::vector<int64_t> ids = tokens.to_vector<int64_t>();
  std::vector<bool> padding(ids.size());
  std::vector<float> keep(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) padding[i] = ids[i] == 0, keep[i] = ids[i] == 0 ? 0.0f : 1.0f;
  const Tensor h = encoder(position(embed(tokens)), ag::Tensor(), ag::from_vector(padding, {B, T}));  // (B,T,E)
  const Tensor kept = ag::from_vector(keep, {B, T, 1});
  const Tensor mean = (h * kept).sum({1}) / kept.sum({1});  // (B,E); every text has a token (tokens.h)
  return head(dropout(mean));                                // (B,C)
}

Tensor pad_batch(const std::vector<std::vector<int64_t>>& ids) {
  size_t T = 1;
  for (const auto& row : ids) T = std::max(T, row.size());
  std::vector<int64_t> flat(ids.size() * T, 0);
  for (size_t b = 0; b < ids.size(); ++b) std::copy(ids[b].begin(), ids[b].end(), flat.begin() + b * T);
  return ag::from_vector(flat, {static_cast<int64_t>(ids.size()), static_cast<int64_t>(T)});
}

namespace {

const ag::train::FileFormat kWeights{"ag-classify-model-1", "classify"};

}  // namespace

void save_model(const std::string& path, ClassifierImpl& model, const std::vector<std::string>& classes,
                const ag::data::LabelledReadOptions& reading) {
  ag::train::save_file(path, kWeights, model.state_dict(),
                       {{"config", json(model.config).dump()}, {"classes", json(classes).dump()},
                        {"mail", json(reading.mail).dump()}, {"mail_headers", json(reading.mail_headers).dump()}});
}

LoadedModel load_model(const std::string& run_dir) {
  const std::string weights = run_dir + "/model.safetensors", tokenizer = run_dir + "/tokenizer.model";
  AG_CHECK(std::filesystem::is_directory(run_dir) && std::filesystem::exists(weights),
           "{} is not a run directory of `classify train` (it needs model.safetensors)", run_dir);
  const ag::train::SavedFile file = ag::train::SavedFile::open(weights, kWeights);
  LoadedModel out;
  try {
    out.classes = file.json_field("classes").get<std::vector<std::string>>();
    out.reading.mail = file.json_field("mail").get<bool>();
    if (out.reading.mail)  // only mail has headers to keep
      out.reading.mail_headers = file.json_field("mail_headers").get<std::vector<std::string>>();
    const auto config = file.json_field("config").get<ModelConfig>();
    AG_CHECK(config.num_classes == static_cast<int64_t>(out.classes.size()), "the model has {} outputs but {} "
             "class names", config.num_classes, out.classes.size());
    out.encoder = TextEncoder(tokenizer);
    AG_CHECK(out.encoder.vocab_size() == config.vocab_size, "{} has {} pieces but the model {}", tokenizer,
             out.encoder.vocab_size(), config.vocab_size);
    out.model = Classifier(config);
    out.model->load_state_dict(file.tensors());
  } catch (const json::exception& e) {
    throw ag::Error(fmt::format("{}: the metadata does not describe a classifier ({})", weights, e.what()));
  } catch (const ag::Error& e) {
    throw ag::Error(fmt::format("{}: {}", weights, e.what()));
  }
  out.model->eval();
  return out;
}

}  // namespace classify
