// Vocab construction, lookup and the plain-text file format; see vocab.h.
#include "ag/data/vocab.h"

#include <algorithm>

#include "ag/core/error.h"
#include "ag/data/text_file.h"

namespace ag::data {
namespace {

std::string escape(const std::string& piece) {
  std::string out;
  for (char c : piece) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out;
}

std::string unescape(const std::string& line, const std::string& path, size_t line_number) {
  std::string out;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] != '\\') {
      out += line[i];
      continue;
    }
    AG_CHECK(i + 1 < line.size(), "{}:{}: a vocabulary line may not end in a single '\\'", path, line_number);
    const char next = line[++i];
    AG_CHECK(next == '\\' || next == 'n' || next == 'r', "{}:{}: unknown escape '\\{}' (only \\\\, \\n, \\r)", path,
             line_number, next);
    out += next == 'n' ? '\n' : next == 'r' ? '\r' : '\\';
  }
  return out;
}

}  // namespace

Vocab::Vocab() {
  for (auto special : {kPadPiece, kUnkPiece, kBosPiece, kEosPiece}) add(std::string(special));
}

Vocab Vocab::build(const std::unordered_map<std::string, int64_t>& counts, int64_t min_freq, size_t max_size) {
  AG_CHECK(max_size == 0 || max_size >= 4, "Vocab::build: max_size {} leaves no room for the 4 special pieces",
           max_size);
  std::vector<std::pair<std::string, int64_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  Vocab vocab;
  for (const auto& [piece, count] : sorted) {
    if (count < min_freq || (max_size > 0 && vocab.size() >= max_size)) break;
    vocab.add(piece);
  }
  return vocab;
}

int64_t Vocab::add(const std::string& piece) {
  const auto [it, inserted] = ids_.emplace(piece, static_cast<int64_t>(pieces_.size()));
  if (inserted) pieces_.push_back(piece);
  return it->second;
}

int64_t Vocab::id(std::string_view piece) const {
  const auto it = ids_.find(std::string(piece));
  return it == ids_.end() ? kUnk : it->second;
}

const std::string& Vocab::piece(int64_t id) const {
  AG_CHECK(id >= 0 && id < static_cast<int64_t>(pieces_.size()), "Vocab::piece: id {} is outside [0, {})", id,
           pieces_.size());
  return pieces_[static_cast<size_t>(id)];
}

std::vector<int64_t> Vocab::to_ids(const std::vector<std::string>& pieces) const {
  std::vector<int64_t> ids;
  ids.reserve(pieces.size());
  for (const auto& p : pieces) ids.push_back(id(p));
  return ids;
}

std::vector<std::string> Vocab::to_pieces(std::span<const int64_t> ids) const {
  std::vector<std::string> pieces;
  pieces.reserve(ids.size());
  for (int64_t i : ids) pieces.push_back(piece(i));
  return pieces;
}

void Vocab::save(const std::string& path) const {
  std::vector<std::string> lines;
  lines.reserve(pieces_.size());
  for (const auto& p : pieces_) lines.push_back(escape(p));
  write_lines(path, lines);
}

Vocab Vocab::load(const std::string& path) {
  const std::vector<std::string> lines = read_lines(path);
  Vocab vocab;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string piece = unescape(lines[i], path, i + 1);
    if (i < 4) {
      AG_CHECK(piece == vocab.pieces_[i],
               "{}:{}: expected '{}' but found '{}'; a vocabulary file starts with "
               "<pad>, <unk>, <bos>, <eos>",
               path, i + 1, vocab.pieces_[i], piece);
      continue;
    }
    AG_CHECK(!vocab.contains(piece), "{}:{}: '{}' appears twice", path, i + 1, piece);
    vocab.add(piece);
  }
  AG_CHECK(lines.size() >= 4, "{}: has {} lines, but a vocabulary file starts with <pad>, <unk>, <bos>, <eos>", path,
           lines.size());
  return vocab;
}

}  // namespace ag::data
