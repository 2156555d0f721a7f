// The Tokenizer base helpers and the character and word tokenizers; see tokenizer.h.
#include "ag/data/tokenizer.h"

#include "ag/core/error.h"
#include "ag/data/sentencepiece_tokenizer.h"
#include "ag/data/utf8.h"
#include "ag/data/vocab.h"

namespace ag::data {

std::vector<int64_t> Tokenizer::encode_ids(std::string_view text, const Vocab& vocab) const {
  return vocab.to_ids(encode(text));
}

std::string Tokenizer::decode_ids(std::span<const int64_t> ids, const Vocab& vocab) const {
  std::vector<std::string> pieces;
  for (int64_t id : ids) {
    if (id == Vocab::kEos) break;
    if (id == Vocab::kPad || id == Vocab::kBos) continue;
    pieces.push_back(vocab.piece(id));
  }
  return decode(pieces);
}

std::vector<std::string> CharTokenizer::encode(std::string_view text) const { return utf8::split_chars(text); }

std::string CharTokenizer::decode(const std::vector<std::string>& pieces) const {
  std::string text;
  for (const auto& p : pieces) text += p;
  return text;
}

std::vector<std::string> WordTokenizer::encode(std::string_view text) const {
  std::vector<std::string> pieces;
  std::string word;
  const auto flush = [&] {
    if (!word.empty()) pieces.push_back(std::move(word));
    word.clear();
  };
  for (char32_t cp : utf8::decode(lowercase_ ? utf8::lowercase(text) : std::string(text))) {
    if (utf8::is_space(cp)) {
      flush();
    } else if (utf8::is_punctuation(cp)) {
      flush();
      utf8::append(word, cp);
      flush();
    } else {
      utf8::append(word, cp);
    }
  }
  flush();
  return pieces;
}

std::string WordTokenizer::decode(const std::vector<std::string>& pieces) const {
  std::string text;
  for (const auto& p : pieces) {
    if (!text.empty()) text += ' ';
    text += p;
  }
  return text;
}

std::unique_ptr<Tokenizer> make_tokenizer(const std::string& kind, const std::string& model_path) {
  if (kind == "char") return std::make_unique<CharTokenizer>();
  if (kind == "word") return std::make_unique<WordTokenizer>(false);
  if (kind == "word-lc") return std::make_unique<WordTokenizer>(true);
  if (kind == "spm") {
    AG_CHECK(!model_path.empty(), "make_tokenizer: 'spm' needs the path of a trained SentencePiece model");
    return std::make_unique<SentencePieceTokenizer>(model_path);
  }
  throw Error(fmt::format("make_tokenizer: unknown tokenizer '{}'; choose char, word, word-lc or spm", kind));
}

PieceCounts count_pieces(const std::vector<std::string>& texts, const Tokenizer& tokenizer) {
  PieceCounts counts;
  for (const auto& text : texts) {
    for (auto& piece : tokenizer.encode(text)) ++counts[std::move(piece)];
  }
  return counts;
}

}  // namespace ag::data
