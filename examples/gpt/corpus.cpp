// Reading the corpus, numbering its characters, and cutting training windows out of it.
#include "corpus.h"

#include <sstream>

#include "ag/core/error.h"
#include "ag/core/factory.h"
#include "ag/data/text_file.h"
#include "ag/data/tokenizer.h"

namespace gpt {

std::string read_text(const std::string& path) {
  std::string text;
  for (const std::string& line : ag::data::read_lines(path)) text += line + "\n";
  return text;
}

CharCodec CharCodec::build(std::string_view text) {
  CharCodec codec;
  codec.vocab_ = ag::data::Vocab::build(ag::data::count_pieces({std::string(text)}, ag::data::CharTokenizer()));
  return codec;
}

CharCodec CharCodec::from_pieces(const std::vector<std::string>& pieces) {
  CharCodec codec;
  for (const std::string& piece : pieces) codec.vocab_.add(piece);
  return codec;
}

std::vector<int64_t> CharCodec::encode(std::string_view text) const {
  return vocab_.to_ids(ag::data::CharTokenizer().encode(text));
}

std::string CharCodec::decode(std::span<const int64_t> ids) const {
  std::string text;
  for (int64_t id : ids)
    if (!vocab_.is_special(id)) text += vocab_.piece(id);
  return text;
}

std::vector<std::string> CharCodec::pieces() const {
  std::vector<std::string> out;
  for (int64_t id = ag::data::Vocab::kEos + 1; id < size(); ++id) out.push_back(vocab_.piece(id));
  return out;
}

Split split_tokens(const std::vector<int64_t>& tokens, double train_fraction) {
  const auto n = static_cast<size_t>(static_cast<double>(tokens.size()) * train_fraction);
  return {{tokens.begin(), tokens.begin() + static_cast<ptrdiff_t>(n)},
          {tokens.begin() + static_cast<ptrdiff_t>(n), tokens.end()}};
}

Batcher::Batcher(std::span<const int64_t> tokens, int64_t batch_size, int64_t block_size, uint64_t seed)
    : tokens_(tokens), batch_size_(batch_size), block_size_(block_size), rng_(seed) {
  AG_CHECK(batch_size > 0 && block_size > 0, "batcher: batch size ({}) and context ({}) must be positive",
           batch_size, block_size);
  AG_CHECK(static_cast<int64_t>(tokens.size()) > block_size,
           "batcher: the text has {} tokens, too few for one window of {} + 1; use a longer text or a shorter "
           "--context", tokens.size(), block_size);
}

std::pair<ag::Tensor, ag::Tensor> Batcher::next() {
  const int64_t B = batch_size_, T = block_size_;
  std::vector<int64_t> x(static_cast<size_t>(B * T)), y(x.size());
  const auto starts = static_cast<uint64_t>(static_cast<int64_t>(tokens_.size()) - T);  // windows that fit
  for (int64_t b = 0; b < B; ++b) {
    const auto start = static_cast<size_t>(ag::data::uniform_below(rng_, starts));
    for (int64_t t = 0; t < T; ++t) {
      x[static_cast<size_t>(b * T + t)] = tokens_[start + static_cast<size_t>(t)];
      y[static_cast<size_t>(b * T + t)] = tokens_[start + static_cast<size_t>(t) + 1];
    }
  }
  return {ag::from_vector(x, {B, T}), ag::from_vector(y, {B, T})};
}

std::string Batcher::state() const {
  std::ostringstream out;
  out << rng_;
  return out.str();
}

void Batcher::set_state(const std::string& state) {
  std::istringstream in(state);
  in >> rng_;
  AG_CHECK(!in.fail(), "batcher: the saved generator state is damaged");
}

}  // namespace gpt
