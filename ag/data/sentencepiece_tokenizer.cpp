// SentencePiece training and encoding behind ag's Tokenizer interface; see sentencepiece_tokenizer.h.
#include "ag/data/sentencepiece_tokenizer.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <unordered_map>

#include "ag/core/error.h"
#include "ag/data/text_file.h"

namespace ag::data {
namespace {

// Feeds SentencePiece's trainer the lines ag read, so training accepts whatever read_lines accepts
// (gzip, CRLF, a BOM) and fails with ag's messages on a missing file or invalid UTF-8.
class LineIterator final : public sentencepiece::SentenceIterator {
 public:
  explicit LineIterator(std::vector<std::string> lines) : lines_(std::move(lines)) {}
  bool done() const override { return next_ >= lines_.size(); }
  void Next() override { ++next_; }
  const std::string& value() const override { return lines_[next_]; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  std::vector<std::string> lines_;
  size_t next_ = 0;
};

}  // namespace

SentencePieceTokenizer::SentencePieceTokenizer(const std::string& model_path) : path_(model_path) {
  auto processor = std::make_shared<sentencepiece::SentencePieceProcessor>();
  sentencepiece::util::Status status;
  try {
    status = processor->Load(model_path);
  } catch (const std::exception& e) {
    // SentencePiece reports most damage in its status, but some (a piece that is the empty string,
    // found by fuzz_sentencepiece) throws from the trie builder it uses.
    throw Error(fmt::format("cannot load SentencePiece model '{}': {}; the file is damaged", model_path, e.what()));
  }
  AG_CHECK(status.ok(), "cannot load SentencePiece model '{}': {}", model_path, status.ToString());
  processor_ = std::move(processor);
}

SentencePieceTokenizer SentencePieceTokenizer::train(const std::vector<std::string>& files,
                                                     const std::string& model_prefix,
                                                     const SentencePieceOptions& options) {
  AG_CHECK(!files.empty(), "SentencePieceTokenizer::train: no training files given");
  std::vector<std::string> lines;
  for (const auto& file : files) {
    for (auto& line : read_lines(file)) lines.push_back(std::move(line));
  }
  return train_on_lines(std::move(lines), model_prefix, options);
}

SentencePieceTokenizer SentencePieceTokenizer::train_on_lines(std::vector<std::string> lines,
                                                              const std::string& model_prefix,
                                                              const SentencePieceOptions& options) {
  std::erase_if(lines, [](const std::string& line) { return line.empty(); });
  AG_CHECK(!lines.empty(), "SentencePiece training of '{}': no non-empty sentence to train on", model_prefix);
  const std::unordered_map<std::string, std::string> args = {
      {"model_prefix", model_prefix},
      {"model_type", options.model_type},
      {"vocab_size", std::to_string(options.vocab_size)},
      {"character_coverage", std::to_string(options.character_coverage)},
      {"hard_vocab_limit", options.hard_vocab_limit ? "true" : "false"},
      {"input_sentence_size", std::to_string(options.max_sentences)},
      {"shuffle_input_sentence", "true"},
      {"num_threads", std::to_string(options.num_threads)},
      {"pad_id", std::to_string(Vocab::kPad)},
      {"pad_piece", std::string(Vocab::kPadPiece)},
      {"unk_id", std::to_string(Vocab::kUnk)},
      {"unk_piece", std::string(Vocab::kUnkPiece)},
      {"bos_id", std::to_string(Vocab::kBos)},
      {"bos_piece", std::string(Vocab::kBosPiece)},
      {"eos_id", std::to_string(Vocab::kEos)},
      {"eos_piece", std::string(Vocab::kEosPiece)},
      {"minloglevel", options.verbose ? "0" : "2"},
  };
  LineIterator iterator(std::move(lines));
  const auto status = sentencepiece::SentencePieceTrainer::Train(args, &iterator);
  AG_CHECK(status.ok(), "SentencePiece training of '{}' failed: {}", model_prefix, status.ToString());
  return SentencePieceTokenizer(model_prefix + ".model");
}

std::vector<std::string> SentencePieceTokenizer::encode(std::string_view text) const {
  std::vector<std::string> pieces;
  const auto status = processor_->Encode(text, &pieces);
  AG_CHECK(status.ok(), "SentencePiece ({}) cannot encode '{}': {}", path_, text, status.ToString());
  return pieces;
}

std::string SentencePieceTokenizer::decode(const std::vector<std::string>& pieces) const {
  std::string text;
  const auto status = processor_->Decode(pieces, &text);
  AG_CHECK(status.ok(), "SentencePiece ({}) cannot decode: {}", path_, status.ToString());
  return text;
}

Vocab SentencePieceTokenizer::vocab() const {
  Vocab vocab;
  for (int id = 0; id < processor_->GetPieceSize(); ++id) vocab.add(processor_->IdToPiece(id));
  return vocab;
}

size_t SentencePieceTokenizer::size() const { return static_cast<size_t>(processor_->GetPieceSize()); }

}  // namespace ag::data
