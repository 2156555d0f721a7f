// Saving and restoring one side's tokenizer and vocabulary.
#include "language.h"

#include <filesystem>

#include "ag/core/error.h"
#include "ag/data/sentencepiece_tokenizer.h"
#include "ag/data/utf8.h"

namespace seq2seq {

namespace fs = std::filesystem;

namespace {

// Far above any real SentencePiece model (one of 32,000 pieces takes under 1 MB), and below what
// would exhaust memory: SentencePiece reads the whole file at once.
constexpr uintmax_t kMaxSpmModelBytes = uintmax_t{256} << 20;

// Where the SentencePiece model `name` that a checkpoint names lies. A checkpoint may come from
// anyone, so the name is trusted no further than its own run directory: a plain file name (no
// directory part, not "." or ".."), a regular file once links are followed (not a directory, not
// a device such as /dev/zero that never ends), still inside the run directory, of a bounded size.
std::string spm_model_path(const std::string& name, const std::string& run_dir) {
  // "": a weights file in the working directory.
  const fs::path dir = run_dir.empty() ? fs::path(".") : fs::path(run_dir);
  AG_CHECK(!name.empty() && fs::path(name).filename() == name && name != "." && name != "..",
           "the checkpoint names the SentencePiece model '{}', but it may only name a file in its own directory {}; "
           "the checkpoint is damaged, or was made to read other files", name, dir.string());
  const fs::path path = dir / name;
  AG_CHECK(fs::exists(path), "the checkpoint uses the SentencePiece model {}, which is missing; copy it back next to "
           "the checkpoint", path.string());
  const fs::path real = fs::canonical(path);
  AG_CHECK(real.parent_path() == fs::canonical(dir), "the SentencePiece model {} is a link that leads out of "
           "{} (to {}); put the model file itself there", path.string(), dir.string(), real.string());
  AG_CHECK(fs::is_regular_file(real), "the SentencePiece model {} is not a regular file (a directory, or a device)",
           path.string());
  const uintmax_t size = fs::file_size(real);
  AG_CHECK(size <= kMaxSpmModelBytes, "the SentencePiece model {} has {} bytes, more than any SentencePiece model "
           "({} at most); it is not one", path.string(), size, kMaxSpmModelBytes);
  return path.string();
}

}  // namespace

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
    const std::string path = spm_model_path(language.spm_model, run_dir);
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
