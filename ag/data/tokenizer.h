// Tokenizers turn text into pieces (strings) and back; a Vocab (vocab.h) turns pieces into ids.
//
//   ag::data::CharTokenizer chars;                 // "naïve" -> {"n", "a", "ï", "v", "e"}
//   ag::data::WordTokenizer words;                 // "Hi, you!" -> {"Hi", ",", "you", "!"}
//   ag::data::SentencePieceTokenizer spm("m.model")  // subwords, see sentencepiece_tokenizer.h
//
// Keeping pieces and ids apart (as torchtext does) lets one Vocab class serve every tokenizer, and
// lets a user print what the model actually sees.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ag::data {

class Vocab;

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  virtual std::vector<std::string> encode(std::string_view text) const = 0;
  virtual std::string decode(const std::vector<std::string>& pieces) const = 0;
  virtual std::string name() const = 0;

  // Whether decode(encode(text)) == text for every valid UTF-8 text.
  virtual bool is_lossless() const = 0;

  // Text to ids through `vocab`; pieces missing from it become <unk>.
  std::vector<int64_t> encode_ids(std::string_view text, const Vocab& vocab) const;

  // Ids (e.g. a model's output) to text: <pad> and <bos> are skipped and the first <eos> ends it.
  std::string decode_ids(std::span<const int64_t> ids, const Vocab& vocab) const;
};

// One piece per Unicode code point, spaces included; lossless.
class CharTokenizer final : public Tokenizer {
 public:
  std::vector<std::string> encode(std::string_view text) const override;
  std::string decode(const std::vector<std::string>& pieces) const override;
  std::string name() const override { return "char"; }
  bool is_lossless() const override { return true; }
};

// Words split on whitespace, with each punctuation or symbol character a piece of its own
// ("don't." -> {"don", "'", "t", "."}). decode joins pieces with single spaces, so it is not
// lossless, but encode(decode(encode(s))) == encode(s).
class WordTokenizer final : public Tokenizer {
 public:
  explicit WordTokenizer(bool lowercase = false) : lowercase_(lowercase) {}
  std::vector<std::string> encode(std::string_view text) const override;
  std::string decode(const std::vector<std::string>& pieces) const override;
  std::string name() const override { return lowercase_ ? "word-lc" : "word"; }
  bool is_lossless() const override { return false; }

 private:
  bool lowercase_;
};

// By name: "char", "word", "word-lc", or "spm" (which needs the path of a trained model).
std::unique_ptr<Tokenizer> make_tokenizer(const std::string& kind, const std::string& model_path = "");

// How often each piece occurs in `texts`: the input of Vocab::build.
using PieceCounts = std::unordered_map<std::string, int64_t>;
PieceCounts count_pieces(const std::vector<std::string>& texts, const Tokenizer& tokenizer);

}  // namespace ag::data
