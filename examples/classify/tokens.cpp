// SentencePiece over the training texts, and truncated encoding; see tokens.h.
#include "tokens.h"

#include <algorithm>

#include "ag/core/error.h"

namespace classify {

TextEncoder::TextEncoder(const std::string& model_path)
    : spm_(std::make_shared<ag::data::SentencePieceTokenizer>(model_path)), vocab_(spm_->vocab()) {}

TextEncoder TextEncoder::train(const std::vector<std::string>& texts, const std::string& model_prefix,
                               int vocab_size) {
  AG_CHECK(vocab_size > 4, "--vocab-size ({}) must exceed 4 (<pad>, <unk>, <bos>, <eos>)", vocab_size);
  // SentencePiece learns from sentences; a text's lines serve (it skips lines over 4192 bytes).
  std::vector<std::string> lines;
  for (const std::string& text : texts) {
    size_t pos = 0;
    while (pos < text.size()) {
      const size_t end = std::min(text.find('\n', pos), text.size());
      if (end > pos) lines.push_back(text.substr(pos, end - pos));
      pos = end + 1;
    }
  }
  ag::data::SentencePieceTokenizer::train_on_lines(
      std::move(lines), model_prefix,
      {.model_type = "unigram", .vocab_size = vocab_size, .hard_vocab_limit = false, .max_sentences = 300000});
  return TextEncoder(model_prefix + ".model");
}

std::vector<int64_t> TextEncoder::encode(std::string_view text, int64_t max_tokens) const {
  AG_CHECK(spm_ != nullptr, "TextEncoder: no SentencePiece model loaded");
  // Pieces average well under 16 bytes, so the first 16 bytes per token are enough to fill
  // max_tokens; cutting there (at a character boundary) keeps a 1 MB message as quick as a short one.
  size_t cut = std::min(text.size(), static_cast<size_t>(max_tokens) * 16);
  while (cut > 0 && cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  std::string flat(text.substr(0, cut));
  std::replace_if(flat.begin(), flat.end(), [](char c) { return c == '\n' || c == '\t' || c == '\r'; }, ' ');
  std::vector<int64_t> ids = vocab_.to_ids(spm_->encode(flat));
  if (static_cast<int64_t>(ids.size()) > max_tokens) ids.resize(static_cast<size_t>(max_tokens));
  if (ids.empty()) ids.push_back(ag::data::Vocab::kUnk);
  return ids;
}

}  // namespace classify
