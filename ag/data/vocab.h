// Vocab: the two-way map between pieces (strings from a Tokenizer) and the integer ids a model sees.
//
// The first four ids are fixed, in every vocabulary, so the rest of ag can rely on them:
//   0 <pad>  padding; DataLoader pads with it and losses ignore it
//   1 <unk>  any piece the vocabulary does not know
//   2 <bos>  begin of sentence; the decoder's first input
//   3 <eos>  end of sentence; the decoder's last output
// Built from piece counts, most frequent first (ties in byte order, so the result never depends on
// hash-map order), as torchtext's build_vocab_from_iterator does.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ag::data {

class Vocab {
 public:
  static constexpr int64_t kPad = 0, kUnk = 1, kBos = 2, kEos = 3;
  static constexpr std::string_view kPadPiece = "<pad>", kUnkPiece = "<unk>", kBosPiece = "<bos>", kEosPiece = "<eos>";

  // Only the four special pieces.
  Vocab();

  // Pieces seen at least `min_freq` times, most frequent first; `max_size` (0 = unlimited) caps the
  // total size, the four special pieces included.
  static Vocab build(const std::unordered_map<std::string, int64_t>& counts, int64_t min_freq = 1, size_t max_size = 0);

  // Adds `piece` if new; returns its id either way.
  int64_t add(const std::string& piece);

  size_t size() const { return pieces_.size(); }
  bool contains(std::string_view piece) const { return ids_.count(std::string(piece)) != 0; }
  int64_t id(std::string_view piece) const;    // kUnk when unknown
  const std::string& piece(int64_t id) const;  // throws on an id outside [0, size)
  bool is_special(int64_t id) const { return id >= 0 && id <= kEos; }

  std::vector<int64_t> to_ids(const std::vector<std::string>& pieces) const;
  std::vector<std::string> to_pieces(std::span<const int64_t> ids) const;

  // Plain text, one piece per line in id order; "\\", "\n" and "\r" inside a piece are written as
  // "\\\\", "\\n" and "\\r". load checks that the file starts with the four special pieces.
  void save(const std::string& path) const;
  static Vocab load(const std::string& path);

  bool operator==(const Vocab& other) const { return pieces_ == other.pieces_; }

 private:
  std::vector<std::string> pieces_;
  std::unordered_map<std::string, int64_t> ids_;
};

}  // namespace ag::data
