// Text in, token ids out: the character vocabulary, the train/validation split, and the batcher that
// draws training windows.
//
// Tokens are Unicode code points (ag::data::CharTokenizer), numbered through an ag::data::Vocab, so
// ids 0..3 are its special pieces (<pad>, <unk>, <bos>, <eos>) and the corpus's characters follow.
// A character the training text never had becomes <unk>; generation never emits a special piece's
// text (they decode to nothing).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ag/core/tensor.h"
#include "ag/data/random.h"
#include "ag/data/vocab.h"

namespace gpt {

// The whole of a text file (plain or gzip-compressed), with "\n" line endings and a final "\n".
std::string read_text(const std::string& path);

class CharCodec {
 public:
  // Every character of `text`, most frequent first.
  static CharCodec build(std::string_view text);
  // The characters in id order after the four specials, as pieces() gives them.
  static CharCodec from_pieces(const std::vector<std::string>& pieces);

  std::vector<int64_t> encode(std::string_view text) const;  // one id per code point
  std::string decode(std::span<const int64_t> ids) const;    // special ids decode to ""
  std::vector<std::string> pieces() const;
  int64_t size() const { return static_cast<int64_t>(vocab_.size()); }

 private:
  ag::data::Vocab vocab_;
};

// nanoGPT's split: the first 90% of the tokens train, the rest validate.
struct Split {
  std::vector<int64_t> train, valid;
};
Split split_tokens(const std::vector<int64_t>& tokens, double train_fraction = 0.9);

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
