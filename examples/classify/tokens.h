// Text to token ids: a SentencePiece model trained on the training texts, then truncation.
//
// A small unigram vocabulary (a few thousand pieces) suits a few thousand texts: every piece is seen
// often enough to learn its embedding, and a rare word is spelled out in pieces rather than lost to
// <unk>. A text longer than the model's max_tokens keeps its first max_tokens pieces (for mail: the
// subject, then the start of the body, where most of what gives spam away is).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ag/data/sentencepiece_tokenizer.h"
#include "ag/data/vocab.h"

namespace classify {

class TextEncoder {
 public:
  TextEncoder() = default;
  // Loads a SentencePiece model file.
  explicit TextEncoder(const std::string& model_path);
  // Trains a unigram model of at most `vocab_size` pieces on the lines of `texts`, written as
  // `<model_prefix>.model` (and .vocab). A corpus too small for vocab_size gets fewer pieces.
  static TextEncoder train(const std::vector<std::string>& texts, const std::string& model_prefix, int vocab_size);

  // The first `max_tokens` ids of the text; never empty (an empty text is one <unk>), never <pad>.
  std::vector<int64_t> encode(std::string_view text, int64_t max_tokens) const;
  int64_t vocab_size() const { return static_cast<int64_t>(vocab_.size()); }

 private:
  std::shared_ptr<ag::data::SentencePieceTokenizer> spm_;
  ag::data::Vocab vocab_;
};

}  // namespace classify
