// Reading and splitting the corpus, making its codec, and cutting training windows out of it.
#include "corpus.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

#include "ag/core/error.h"
#include "ag/core/factory.h"
#include "ag/data/text_file.h"
#include "ag/data/utf8.h"

namespace gpt {

std::string read_text(const std::string& path) {
  std::string text;
  for (const std::string& line : ag::data::read_lines(path)) text += line + "\n";
  return text;
}

namespace {

// "X is too short: its last 10% (N characters) must exceed the context of T", for one file or several.
std::string too_short(const Text& text, size_t count, std::string_view unit, int64_t block_size) {
  const bool one = text.paths.size() == 1;
  return fmt::format("{} {} too short: {} last 10% ({} {}{}) must exceed the context of {}", text.name(),
                     one ? "is" : "are", one ? "its" : "their", count, unit, one ? "" : " together", block_size);
}

// The file `path` names, however spelled ("a.txt", "./a.txt", a link to it); empty if that cannot
// be told (reading the file will say why).
std::filesystem::path identity(const std::string& path) {
  std::error_code error;
  std::filesystem::path file = std::filesystem::weakly_canonical(path, error);
  return error ? std::filesystem::path() : file;
}

// A file named twice is refused by name.
void check_each_once(const std::vector<std::string>& paths) {
  std::map<std::filesystem::path, std::string> seen;
  for (const std::string& path : paths) {
    const std::filesystem::path file = identity(path);
    if (file.empty()) continue;
    const auto [first, fresh] = seen.emplace(file, path);
    AG_CHECK(fresh, "--data names {}; a file given twice would be trained and validated on twice: give each "
             "file once", first->second == path ? path + " twice" : fmt::format("one file twice, as {} and {}",
                                                                                 first->second, path));
  }
}

}  // namespace

bool same_file(const std::string& a, const std::string& b) {
  const std::filesystem::path file = identity(a);
  return !file.empty() && file == identity(b);
}

std::string Text::name() const {
  if (paths.size() == 1) return paths[0];
  return fmt::format("the {} --data files ({} ... {})", paths.size(), paths.front(), paths.back());
}

Text read_split_text(const std::vector<std::string>& paths, int64_t block_size) {
  AG_CHECK(!paths.empty(), "--data names no file");
  check_each_once(paths);
  Text text{.paths = paths, .train = {}, .valid = {}};
  size_t valid_characters = 0;
  for (const std::string& path : paths) {
    const std::string whole = read_text(path);
    AG_CHECK(!whole.empty(), "{} is empty: there is no text in it to train on", path);
    // The first 90% of the characters (code points): a UTF-8 character's later bytes are 10xxxxxx.
    const auto is_start = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; };
    const auto characters = static_cast<size_t>(std::count_if(whole.begin(), whole.end(), is_start));
    size_t cut = 0;
    for (size_t seen = 0; cut < whole.size(); ++cut) {
      if (is_start(whole[cut]) && seen++ == characters * 9 / 10) break;
    }
    if (!text.train.empty() && !text.train.ends_with('\n')) text.train += '\n';
    text.train.append(whole, 0, cut);
    text.valid.append(whole, cut);
    valid_characters += characters - characters * 9 / 10;
  }
  AG_CHECK(static_cast<int64_t>(valid_characters) > block_size, "{}",
           too_short(text, valid_characters, "characters", block_size));
  return text;
}

Codec make_codec(const std::string& kind, int64_t vocab_size, const Text& text, const std::string& run_dir,
                 int threads, std::ostream& log) {
  if (kind == "char") return Codec::characters(text.train + text.valid);
  const int64_t size = vocab_size > 0 ? vocab_size : kDefaultVocabSize;
  // Every character of the training text must be a piece of its own (SentencePiece's character
  // coverage is 1), besides the four specials and the newline.
  std::u32string characters = ag::data::utf8::decode(text.train);
  std::sort(characters.begin(), characters.end());
  characters.erase(std::unique(characters.begin(), characters.end()), characters.end());
  std::erase(characters, U'\n');
  const auto needed = static_cast<int64_t>(characters.size()) + 5;
  AG_CHECK(size >= needed, "--vocab-size ({}) is too small for the training part of {}: it has {} characters "
           "besides the newline, and with the four special tokens and the newline they need {} ids", size,
           text.name(), characters.size(), needed);
  log << "gpt: training a " << kind << " SentencePiece model of up to " << size << " tokens on the training part of "
      << text.name() << "\n";
  return Codec::train_sentencepiece(text.train, kind, size, (std::filesystem::path(run_dir) / "tokenizer").string(),
                                    threads > 0 ? threads : 2);
}

Corpus tokenize(const Text& text, Codec codec, int64_t block_size) {
  Corpus corpus{.name = text.name(), .codec = std::move(codec), .split = {}};
  corpus.split = {corpus.codec.encode(text.train), corpus.codec.encode(text.valid)};
  AG_CHECK(static_cast<int64_t>(corpus.split.valid.size()) > block_size, "{}",
           too_short(text, corpus.split.valid.size(), "tokens", block_size));
  return corpus;
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
