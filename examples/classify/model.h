// The classifier: a Transformer encoder over the text's tokens, mean-pooled, then one Linear.
//
//   x = embed(tokens) + positions                 (B,T) -> (B,T,E)   sinusoidal positions
//   h = encoder(x, padding)                       (B,T,E)            pre-LN layers, GELU, final LayerNorm
//   v = mean of h over the real (unpadded) tokens (B,T,E) -> (B,E)
//   logits = head(dropout(v))                     (B,E) -> (B,C)
//
// Why mean pooling and not a [CLS] token: with a few thousand labelled texts and no pre-training, a
// [CLS] vector must first learn, through attention alone, to gather what the other tokens say; the
// mean hands every token's vector straight to the classifier, so each token gets a gradient from the
// label at once. That trains faster and overfits less on small sets (the same reason fastText and
// Sentence-BERT pool by averaging). The encoder still puts each token in its context before pooling.
//
// The weights file (model.safetensors in a run directory) holds the parameters and, as metadata,
// the configuration, the class names and how texts are read; the SentencePiece model that turns
// text into tokens lies beside it (tokenizer.model).
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ag/data/labelled_text.h"
#include "ag/nn/dropout.h"
#include "ag/nn/embedding.h"
#include "ag/nn/linear.h"
#include "ag/nn/positional.h"
#include "ag/nn/transformer.h"
#include "ag/train/settings.h"
#include "tokens.h"

namespace classify {

struct ModelConfig {
  int64_t vocab_size = 0;
  int64_t num_classes = 0;
  int64_t max_tokens = 256;  // a longer text is cut to its first max_tokens tokens
  int64_t layers = 2;
  int64_t heads = 4;
  int64_t width = 128;
  int64_t feedforward = 256;
  double dropout = 0.1;

  // Throws an ag::Error naming the flag of the first setting (vocabulary and classes aside) a model
  // cannot be built with.
  void validate() const;

  // Each setting once, with its flag of `classify train`, its key in a weights file's `config` and
  // its range (ag/train/settings.h); `classify train`'s own list takes these in at /model.
  template <typename Self, typename Setting>
  static void settings(Self& o, Setting&& setting) {
    using ag::train::Range;
    const std::string model = "Model";
    setting(o.vocab_size, {.key = "/vocab_size", .range = Range{0, 1e6}});  // both filled in from the data
    setting(o.num_classes, {.key = "/num_classes", .range = Range{0, 1e6}});
    setting(o.max_tokens, {.flag = "--max-tokens", .key = "/max_tokens", .help = "tokens kept from the start of each text",
                           .range = Range{1, 4096}, .group = model});
    setting(o.layers, {.flag = "--layers", .key = "/layers", .help = "Transformer encoder layers",
                       .range = Range{1, 24}, .group = model});
    setting(o.heads, {.flag = "--heads", .key = "/heads", .help = "attention heads (they divide --width)",
                      .range = Range{1, 4096}, .group = model});
    setting(o.width, {.flag = "--width", .key = "/width", .help = "embedding width", .range = Range{1, 4096},
                      .group = model});
    setting(o.feedforward, {.flag = "--feedforward", .key = "/feedforward", .help = "feed-forward width",
                            .range = Range{1, 16384}, .group = model});
    setting(o.dropout, {.flag = "--dropout", .key = "/dropout", .help = "dropout", .range = Range{0, 1, false, true},
                        .group = model});
  }
};
// As JSON in checkpoints and weights files, from the list above. Reading holds every setting to its
// range first (an integer must be written as one: 2.0e19 is an error naming the key, never cast).
void to_json(nlohmann::json& j, const ModelConfig& c);
void from_json(const nlohmann::json& j, ModelConfig& c);

class ClassifierImpl : public ag::nn::Module {
 public:
  explicit ClassifierImpl(const ModelConfig& config);
  // tokens (B,T) int64, 0 (<pad>) after each text's end, T <= max_tokens -> logits (B,C).
  ag::Tensor forward(const ag::Tensor& tokens);

  ModelConfig config;
  ag::nn::Embedding embed{nullptr};
  ag::nn::SinusoidalPositionalEncoding position{nullptr};
  ag::nn::TransformerEncoder encoder{nullptr};
  ag::nn::Dropout dropout{nullptr};
  ag::nn::Linear head{nullptr};
};
AG_MODULE(Classifier);

// Texts of different lengths as one batch: (B,T) ids, T the longest, padded with 0.
ag::Tensor pad_batch(const std::vector<std::vector<int64_t>>& ids);

// A trained model with everything needed to use it.
struct LoadedModel {
  Classifier model{nullptr};  // in eval mode
  TextEncoder encoder;
  std::vector<std::string> classes;
  ag::data::LabelledReadOptions reading;  // how its texts were read (raw mail or not)
};

// Writes the weights and metadata to `path` (atomically).
void save_model(const std::string& path, ClassifierImpl& model, const std::vector<std::string>& classes,
                const ag::data::LabelledReadOptions& reading);
// Reads a run directory of `classify train` (model.safetensors and tokenizer.model).
LoadedModel load_model(const std::string& run_dir);

}  // namespace classify
