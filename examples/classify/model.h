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
};
// As JSON in checkpoints and weights files. Reading takes integers only where they are written as
// integers (a float such as 2.0e19 is an error naming the key, never cast); validate() is what
// holds them to their ranges.
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
