// Saving and restoring one side's tokenizer and vocabulary.
#include "language.h"

#include "ag/core/error.h"
#include "ag/data/sentencepiece_tokenizer.h"
#include "ag/data/utf8.h"
#include "ag/train/run_dir.h"

namespace seq2seq {

std::string Language::normalize(const std::string& text) const {
  return lowercase ? ag::data::utf8::lowercase(text) : text;
}

std::vector<int64_t> Language::encode(const std::string& text) const {
  return tokenizer->encode_ids(normalize(text), vocab);
}

std::string Language::decode(const std::vector<int64_t>& ids) const { return tokenizer->decode_ids(ids, vocab); }

nlohmann::json to_json(const Language& language) {
  std::vector<std::string> pieces;
  for (size_t i = 0; i < language.vocab.size(); ++i) pieces.push_back(language.vocab.piece(static_cast<int64_t>(i)));
  return {{"tokenizer", language.tokenizer_kind},
          {"spm_model", language.spm_model},
          {"lowercase", language.lowercase},
          {"pieces", pieces}};
}

Language language_from_json(const nlohmann::json& j, const std::string& run_dir) {
  Language language;
  std::vector<std::string> pieces;
  try {
    j.at("tokenizer").get_to(language.tokenizer_kind);
    j.at("spm_model").get_to(language.spm_model);
    j.at("lowercase").get_to(language.lowercase);
    j.at("pieces").get_to(pieces);
  } catch (const nlohmann::json::exception& e) {
    throw ag::Error(fmt::format("the saved vocabulary is damaged ({})", e.what()));
  }
  AG_CHECK(pieces.size() >= 4 && pieces[0] == ag::data::Vocab::kPadPiece && pieces[3] == ag::data::Vocab::kEosPiece,
           "the saved vocabulary does not start with <pad> <unk> <bos> <eos>; the checkpoint is damaged");
  if (language.tokenizer_kind == "spm") {
    // Trusted no further than the run directory: see ag::train::file_named_in.
    const std::string path =
        ag::train::file_named_in(run_dir, language.spm_model, "SentencePiece model",
                                 ag::data::kMaxSentencePieceModelBytes);
    auto spm = std::make_shared<ag::data::SentencePieceTokenizer>(path);
    language.vocab = spm->vocab();
    AG_CHECK(language.vocab.size() == pieces.size(),
             "the SentencePiece model {} has {} pieces but the checkpoint was trained with {}; it is not the model "
             "this checkpoint was trained with", path, language.vocab.size(), pieces.size());
    for (size_t i = 0; i < pieces.size(); ++i)
      AG_CHECK(language.vocab.piece(static_cast<int64_t>(i)) == pieces[i],
               "the SentencePiece model {} numbers its pieces differently from the checkpoint (id {} is '{}', "
               "expected '{}'); it is not the model this checkpoint was trained with",
               path, i, language.vocab.piece(static_cast<int64_t>(i)), pieces[i]);
    language.tokenizer = std::move(spm);
    return language;
  }
  language.tokenizer = ag::data::make_tokenizer(language.tokenizer_kind);
  for (size_t i = 4; i < pieces.size(); ++i) language.vocab.add(pieces[i]);
  AG_CHECK(language.vocab.size() == pieces.size(), "the saved vocabulary lists a piece twice; the checkpoint is damaged");
  return language;
}

}  // namespace seq2seq
