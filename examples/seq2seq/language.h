// One side of the translation (source or target): how its text becomes token ids and back.
//
// A Language is a tokenizer plus a vocabulary, and is saved inside every weights file as JSON
// (tokenizer kind, the SentencePiece model's file name, every piece in id order), so a checkpoint
// carries what it needs to read and write text. A SentencePiece model file lives next to the
// checkpoint, which names it; loading reads it from there only (a name such as ../../etc/passwd or
// /dev/zero, a link leading elsewhere, or an outsized file is refused), and checks that it still
// numbers its pieces as the checkpoint's vocabulary does: a swapped or retrained model file would
// otherwise translate into nonsense without a word.
#pragma once
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ag/data/tokenizer.h"
#include "ag/data/vocab.h"

namespace seq2seq {

struct Language {
  std::string tokenizer_kind;  // char, word, word-lc or spm
  std::string spm_model;       // spm: the model's file name, relative to the run directory
  bool lowercase = false;      // lowercase text before tokenizing
  std::shared_ptr<const ag::data::Tokenizer> tokenizer;
  ag::data::Vocab vocab;

  // Text -> ids (no <bos>/<eos>), and ids -> text (stopping at <eos>).
  std::vector<int64_t> encode(const std::string& text) const;
  std::string decode(const std::vector<int64_t>& ids) const;
  // The text as the model sees it: lowercased if the run was (references are compared to this).
  std::string normalize(const std::string& text) const;
};

nlohmann::json to_json(const Language& language);
// Rebuilds a Language saved by to_json; SentencePiece models are looked for in `run_dir`.
Language language_from_json(const nlohmann::json& j, const std::string& run_dir);

}  // namespace seq2seq
