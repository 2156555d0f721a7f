// Text to token ids and back: characters, or SentencePiece pieces (BPE or unigram).
//
//   char      one token per Unicode character, numbered through an ag::data::Vocab: ids 0..3 are
//             its special pieces (<pad>, <unk>, <bos>, <eos>), the training text's characters
//             follow, most frequent first. Lossless.
//   bpe,      a SentencePiece model (ag::data::SentencePieceTokenizer) trained on the lines of the
//   unigram   training text, ids as SentencePiece numbers them (0..3 the same specials), and one id
//             more, the last, for "\n". SentencePiece learns from lines and normalizes a newline
//             away, but a play's layout (a speaker's name on a line of its own, a blank line between
//             turns) is what chat relies on: so each line is encoded on its own and the lines are
//             joined by the newline token. SentencePiece normalizes each line (NFKC, no leading or
//             trailing spaces, runs of spaces made one), so decode gives the normalized text.
//
// A piece "▁word" is " word", except as the first piece of a line, which SentencePiece decodes
// without its space; decoding therefore works on whole lines, and TextStream shows a growing text
// token by token as decoding the whole of it would. A character neither tokenizer knows becomes
// <unk>; special ids decode to nothing.
#pragma once
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ag/data/sentencepiece_tokenizer.h"
#include "ag/data/vocab.h"

namespace gpt {

class Codec {
 public:
  // Every character of `text`.
  static Codec characters(std::string_view text);
  // The characters in id order after the four specials, as pieces() gives them.
  static Codec characters_from_pieces(const std::vector<std::string>& pieces);
  // Trains a SentencePiece model of `kind` ("bpe" or "unigram") with at most `vocab_size` ids (the
  // four specials and the newline included; a text too small for them gets fewer) on the lines of
  // `text`, written as `<model_prefix>.model` and `.vocab`, and loads it.
  static Codec train_sentencepiece(std::string_view text, const std::string& kind, int64_t vocab_size,
                                   const std::string& model_prefix, int threads);
  // Loads a SentencePiece model file written by train_sentencepiece.
  static Codec sentencepiece(const std::string& kind, const std::string& model_path);
  // The codec a saved file describes: `tokenizer` as describe() wrote it (null, in a file from
  // before SentencePiece: characters) and `pieces`, the list pieces() gave. The SentencePiece model
  // it names is looked for in `dir` only (see ag::train::file_named_in: a checkpoint may come from
  // anyone) and must number its pieces as `pieces` does.
  static Codec load(const nlohmann::json& tokenizer, const nlohmann::json& pieces, const std::string& dir);

  std::vector<int64_t> encode(std::string_view text) const;
  std::string decode(std::span<const int64_t> ids) const;
  // Every piece in id order after the four specials (SentencePiece's end with "\n").
  std::vector<std::string> pieces() const;
  int64_t size() const { return static_cast<int64_t>(vocab_.size()); }
  const std::string& kind() const { return kind_; }
  int64_t newline() const { return newline_; }
  // {"kind": "char"}, or {"kind": "bpe", "model": "tokenizer.model"}: the model's file name, beside
  // the file that records it.
  nlohmann::json describe() const;  // "\n"'s id; -1 if a character text had none

 private:
  // One line of ids (no newline among them) as text.
  std::string decode_line(std::span<const int64_t> ids) const;

  std::string kind_ = "char";
  ag::data::Vocab vocab_;
  std::shared_ptr<const ag::data::SentencePieceTokenizer> spm_;  // null for characters
  std::string model_file_;                                        // spm_'s file name
  int64_t newline_ = -1;
};

// A growing text shown as it grows: next() gives what the tokens added since the last call add to
// decode() of the whole, for a sample or a chat answer streamed token by token. A piece's text
// depends only on whether it begins its line, so each new piece is decoded after the line's last
// piece (or alone, first on its line): constant work per token, however long the line.
//
//   TextStream stream(codec, session.row(0));        // the prompt, already shown
//   out << stream.next(session.row(0));              // after each step
class TextStream {
 public:
  TextStream(const Codec& codec, std::span<const int64_t> shown);
  std::string next(std::span<const int64_t> tokens);

 private:
  const Codec& codec_;
  size_t seen_ = 0;        // tokens shown
  int64_t previous_ = -1;  // the current line's last piece (not a special one); -1 at a line's start
};

}  // namespace gpt
