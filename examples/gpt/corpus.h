// Text in, token ids out: the training text and its split, the tokens a run uses (codec.h), and
// the batcher that draws training windows.
#pragma once
#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ag/core/tensor.h"
#include "ag/data/random.h"
#include "codec.h"

namespace gpt {

// The whole of a text file (plain or gzip-compressed), with "\n" line endings and a final "\n".
std::string read_text(const std::string& path);

// The training text: one or more files, each cut as nanoGPT cuts one (its first 90% of characters
// train, the rest validates), so that validation samples every file. The parts are joined in the
// order given: the training parts each on lines of their own (a newline is put between two when the
// first was cut mid-line), the validation parts as they are (each ends with its file's newline).
// One file is split exactly as before there could be several.
struct Text {
  std::vector<std::string> paths;
  std::string train, valid;
  std::string name() const;  // the file, or "the N --data files (first ... last)", for messages
};
// Refuses an empty file, a file named twice (it would count twice, in training and in validation:
// more likely a slip of a glob than a wish), a directory, a missing file (by name), and texts
// whose validation parts have no more than `block_size` characters together (too few for one
// window of tokens: a token holds at least one character).
Text read_split_text(const std::vector<std::string>& paths, int64_t block_size);
// Whether two paths name one file, however each is spelled ("a.txt", "./a.txt", a link to it).
bool same_file(const std::string& a, const std::string& b);

// The codec of a fresh run in `run_dir`. Characters ("char"): those of the whole text, as nanoGPT.
// SentencePiece ("bpe" or "unigram", at most `vocab_size` ids, 0 for kDefaultVocabSize): trained
// on the training part only, written to run_dir as tokenizer.model (with tokenizer.vocab, the
// pieces and their scores as text). A resumed SentencePiece run loads its model (Codec::load).
constexpr int64_t kDefaultVocabSize = 512;
constexpr int64_t kMinVocabSize = 16;
Codec make_codec(const std::string& kind, int64_t vocab_size, const Text& text, const std::string& run_dir,
                 int threads, std::ostream& log);

// Token ids of the training and the validation part.
struct Split {
  std::vector<int64_t> train, valid;
};

// What a run trains on: the text's two parts as tokens.
struct Corpus {
  std::string name;  // Text::name()
  Codec codec;
  Split split;
};
// Refuses a validation part of no more than `block_size` tokens.
Corpus tokenize(const Text& text, Codec codec, int64_t block_size);

// Random windows of T + 1 consecutive tokens, B at a time: the inputs are a window's first T tokens
// and the targets its last T (each token's successor). Seeded, and resumable from state().
class Batcher {
 public:
  Batcher(std::span<const int64_t> tokens, int64_t batch_size, int64_t block_size, uint64_t seed);
  // -> (x, y), both (B,T) int64.
  std::pair<ag::Tensor, ag::Tensor> next();
  std::string state() const;  // the generator's state as text
  void set_state(const std::string& state);

 private:
  std::span<const int64_t> tokens_;
  int64_t batch_size_, block_size_;
  ag::data::Rng rng_;
};

}  // namespace gpt
