// Subword tokenization through SentencePiece (Kudo & Richardson, 2018): train a BPE or unigram model
// from text files, load it, encode and decode.
//
//   auto spm = ag::data::SentencePieceTokenizer::train({"train.de", "train.en"}, "/tmp/joint",
//                                                      {.model_type = "bpe", .vocab_size = 8000});
//   auto pieces = spm.encode("Hello world");  // {"▁Hello", "▁world"}
//   ag::data::Vocab vocab = spm.vocab();     // ids agree with SentencePiece's own
//
// Subwords are how a translation model avoids out-of-vocabulary words: a rare word is spelled out in
// smaller known pieces. Models trained here reserve SentencePiece's ids 0..3 for <pad>, <unk>, <bos>
// and <eos>, so `vocab()` numbers every piece exactly as SentencePiece does.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ag/data/tokenizer.h"
#include "ag/data/vocab.h"

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace ag::data {

// Far above any real SentencePiece model (one of 32,000 pieces takes under 1 MB), and below what
// would exhaust memory: SentencePiece reads the whole file at once. A program loading a model that
// a checkpoint names refuses a larger file (see ag::train::file_named_in).
inline constexpr uintmax_t kMaxSentencePieceModelBytes = uintmax_t{256} << 20;

struct SentencePieceOptions {
  std::string model_type = "unigram";  // "unigram" or "bpe" (also "char", "word")
  int vocab_size = 8000;               // including <pad>, <unk>, <bos>, <eos>
  double character_coverage = 1.0;     // lower it (e.g. 0.9995) for scripts with very many characters
  bool hard_vocab_limit = true;        // false: a corpus too small for vocab_size gets a smaller vocabulary
  size_t max_sentences = 0;            // train on a random sample of this many sentences; 0 = all
  int num_threads = 2;
  bool verbose = false;  // SentencePiece's own progress log on stderr
};

class SentencePieceTokenizer final : public Tokenizer {
 public:
  // Loads a model file (".model") written by `train` or by SentencePiece's spm_train.
  explicit SentencePieceTokenizer(const std::string& model_path);

  // Trains on the lines of `files` (plain or .gz, read with read_lines) and writes
  // `<model_prefix>.model` and `<model_prefix>.vocab`.
  static SentencePieceTokenizer train(const std::vector<std::string>& files, const std::string& model_prefix,
                                      const SentencePieceOptions& options = {});

  // The same from sentences in memory (empty ones are skipped), with no text file in between.
  static SentencePieceTokenizer train_on_lines(std::vector<std::string> lines, const std::string& model_prefix,
                                               const SentencePieceOptions& options = {});

  std::vector<std::string> encode(std::string_view text) const override;
  std::string decode(const std::vector<std::string>& pieces) const override;
  std::string name() const override { return "spm"; }
  // SentencePiece normalizes text (NFKC, collapsing runs of spaces) before it encodes, so decode
  // gives back the normalized text; for already-normalized text the round trip is exact.
  bool is_lossless() const override { return false; }

  // Every piece of the model in SentencePiece's id order.
  Vocab vocab() const;
  size_t size() const;

 private:
  std::shared_ptr<const sentencepiece::SentencePieceProcessor> processor_;
  std::string path_;
};

}  // namespace ag::data
