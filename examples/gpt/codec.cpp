// Characters or SentencePiece pieces, line by line; see codec.h.
#include "codec.h"

#include <algorithm>
#include <filesystem>

#include "ag/core/error.h"
#include "ag/data/tokenizer.h"
#include "ag/train/run_dir.h"

namespace gpt {

using ag::data::Vocab;

namespace {

// Calls f(line) for each line of `text` (without its "\n") and then, when that "\n" is there,
// on_newline(): "a\n\nb" is line "a", newline, line "", newline, line "b".
template <typename Line, typename Newline>
void for_each_line(std::string_view text, Line&& f, Newline&& on_newline) {
  while (true) {
    const size_t end = text.find('\n');
    f(text.substr(0, end));
    if (end == std::string_view::npos) return;
    on_newline();
    text.remove_prefix(end + 1);
  }
}

}  // namespace

Codec Codec::characters(std::string_view text) {
  Codec codec;
  codec.vocab_ = Vocab::build(ag::data::count_pieces({std::string(text)}, ag::data::CharTokenizer()));
  codec.newline_ = codec.vocab_.contains("\n") ? codec.vocab_.id("\n") : -1;
  return codec;
}

Codec Codec::characters_from_pieces(const std::vector<std::string>& pieces) {
  Codec codec;
  for (const std::string& piece : pieces) codec.vocab_.add(piece);
  codec.newline_ = codec.vocab_.contains("\n") ? codec.vocab_.id("\n") : -1;
  return codec;
}

Codec Codec::train_sentencepiece(std::string_view text, const std::string& kind, int64_t vocab_size,
                                 const std::string& model_prefix, int threads) {
  std::vector<std::string> lines;
  for_each_line(text, [&](std::string_view line) { lines.emplace_back(line); }, [] {});
  ag::data::SentencePieceTokenizer::train_on_lines(
      std::move(lines), model_prefix,
      {.model_type = kind,
       .vocab_size = static_cast<int>(vocab_size - 1),  // the last id is the newline's
       .hard_vocab_limit = false,
       .max_sentences = 1000000,  // a random million lines are plenty to learn pieces from
       .num_threads = threads});
  return sentencepiece(kind, model_prefix + ".model");
}

Codec Codec::sentencepiece(const std::string& kind, const std::string& model_path) {
  AG_CHECK(kind == "bpe" || kind == "unigram", "a SentencePiece model is bpe or unigram, not '{}'", kind);
  Codec codec;
  codec.kind_ = kind;
  codec.spm_ = std::make_shared<const ag::data::SentencePieceTokenizer>(model_path);
  codec.model_file_ = std::filesystem::path(model_path).filename().string();
  codec.vocab_ = codec.spm_->vocab();
  const std::vector<std::string> specials = {std::string(Vocab::kPadPiece), std::string(Vocab::kUnkPiece),
                                             std::string(Vocab::kBosPiece), std::string(Vocab::kEosPiece)};
  for (int64_t id = 0; id <= Vocab::kEos; ++id)
    AG_CHECK(id < codec.size() && codec.vocab_.piece(id) == specials[static_cast<size_t>(id)],
             "the SentencePiece model {} does not number <pad> <unk> <bos> <eos> 0 to 3; it was not trained by "
             "gpt train", model_path);
  codec.newline_ = codec.vocab_.add("\n");
  return codec;
}

Codec Codec::load(const nlohmann::json& tokenizer, const nlohmann::json& pieces, const std::string& dir) {
  std::string kind = "char", model;
  std::vector<std::string> saved_pieces;
  try {
    if (!tokenizer.is_null()) tokenizer.at("kind").get_to(kind);
    if (kind != "char") tokenizer.at("model").get_to(model);
    pieces.get_to(saved_pieces);
  } catch (const nlohmann::json::exception& e) {
    throw ag::Error(fmt::format("the saved tokenizer is damaged ({})", e.what()));
  }
  if (kind == "char") return characters_from_pieces(saved_pieces);
  AG_CHECK(kind == "bpe" || kind == "unigram", "the saved tokenizer is '{}'; gpt knows char, bpe and unigram", kind);
  const std::string path =
      ag::train::file_named_in(dir, model, "SentencePiece model", ag::data::kMaxSentencePieceModelBytes);
  Codec codec = sentencepiece(kind, path);
  AG_CHECK(codec.pieces() == saved_pieces, "the SentencePiece model {} has other pieces ({} ids) than the model was "
           "trained with ({}); it is not the tokenizer of this run", path, codec.size(), saved_pieces.size() + 4);
  return codec;
}

nlohmann::json Codec::describe() const {
  if (!spm_) return {{"kind", kind_}};
  return {{"kind", kind_}, {"model", model_file_}};
}

std::vector<int64_t> Codec::encode(std::string_view text) const {
  if (!spm_) return vocab_.to_ids(ag::data::CharTokenizer().encode(text));
  std::vector<int64_t> ids;
  for_each_line(
      text,
      [&](std::string_view line) {
        const std::vector<int64_t> line_ids = vocab_.to_ids(spm_->encode(line));
        ids.insert(ids.end(), line_ids.begin(), line_ids.end());
      },
      [&] { ids.push_back(newline_); });
  return ids;
}

std::string Codec::decode_line(std::span<const int64_t> ids) const {
  std::vector<std::string> pieces;
  for (const int64_t id : ids)
    if (!vocab_.is_special(id)) pieces.push_back(vocab_.piece(id));
  if (spm_) return spm_->decode(pieces);
  std::string text;
  for (const std::string& piece : pieces) text += piece;
  return text;
}

std::string Codec::decode(std::span<const int64_t> ids) const {
  std::string text;
  size_t line_start = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] != newline_) continue;
    text += decode_line(ids.subspan(line_start, i - line_start)) + "\n";
    line_start = i + 1;
  }
  return text + decode_line(ids.subspan(line_start));
}

std::vector<std::string> Codec::pieces() const {
  std::vector<std::string> out;
  for (int64_t id = Vocab::kEos + 1; id < size(); ++id) out.push_back(vocab_.piece(id));
  return out;
}

TextStream::TextStream(const Codec& codec, std::span<const int64_t> shown) : codec_(codec) {
  next(shown);  // only to find where the shown text's last line stands
}

std::string TextStream::next(std::span<const int64_t> tokens) {
  std::string text;
  for (; seen_ < tokens.size(); ++seen_) {
    const int64_t id = tokens[seen_];
    if (id == codec_.newline()) {
      text += '\n';
      previous_ = -1;
    } else if (id > Vocab::kEos) {  // special ids have no text and leave the line as it was
      if (previous_ < 0) {
        text += codec_.decode(std::span(&id, 1));
      } else {
        const int64_t pair[] = {previous_, id};
        const std::string both = codec_.decode(pair), before = codec_.decode(std::span(&previous_, 1));
        text += both.substr(std::min(before.size(), both.size()));
      }
      previous_ = id;
    }
  }
  return text;
}

}  // namespace gpt
