// libFuzzer target: the text and corpus readers of ag::data on arbitrary bytes (see docs/fuzzing.md):
// plain or gzip-compressed, any line endings, valid or invalid UTF-8.
//
// Readers must return lines or throw ag::Error. Lines they return are valid UTF-8, hold no "\n", and
// survive the utf8 helpers: decode then encode gives the line back, and strip/lowercase/split keep
// valid UTF-8.
#include <fstream>

#include "ag/core/error.h"
#include "ag/data/corpus.h"
#include "ag/data/text_file.h"
#include "ag/data/utf8.h"
#include "scratch.h"

namespace {

namespace utf8 = ag::data::utf8;

void require(bool condition) {
  if (!condition) __builtin_trap();
}

bool valid(std::string_view text) { return utf8::find_invalid(text) == std::string_view::npos; }

void check_line(const std::string& line) {
  require(valid(line) && line.find('\n') == std::string::npos);
  require(utf8::encode(utf8::decode(line)) == line);
  require(utf8::split_chars(line).size() == utf8::length(line));
  require(valid(utf8::strip(line)) && valid(utf8::lowercase(line)));
  for (const std::string& word : utf8::split_whitespace(line)) require(!word.empty() && valid(word));
}

template <typename F>
void refused_or(F read) {
  try {
    read();
  } catch (const ag::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = ag::fuzz::scratch("text");
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  refused_or([&] {
    for (const std::string& line : ag::data::split_lines(text, "input")) check_line(line);
  });
  // The same bytes as a file: gzip is recognised by content, so this also fuzzes zlib's input path.
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(text.data(), static_cast<std::streamsize>(size));
  refused_or([&] {
    for (const std::string& line : ag::data::read_lines(path)) check_line(line);
  });
  refused_or([&] {
    const auto corpus = ag::data::read_tsv(path, {.drop_empty = true, .max_chars = 50});
    require(corpus.stats.kept == corpus.pairs.size());
    require(corpus.stats.read == corpus.stats.kept + corpus.stats.empty + corpus.stats.too_long);
    for (const auto& pair : corpus.pairs) require(utf8::length(pair.src) <= 50 && utf8::length(pair.tgt) <= 50);
  });
  return 0;
}
