// libFuzzer target: ag::data's tokenizers on arbitrary text (see docs/fuzzing.md).
//
// Each tokenizer must encode any input or refuse it with ag::Error, and keep its documented
// properties on valid UTF-8: the char tokenizer is lossless, the word tokenizer is stable
// (encode(decode(encode(s))) == encode(s)), and 13a tokenization is idempotent on its own output's
// spacing (no empty tokens, valid UTF-8).
#include "ag/core/error.h"
#include "ag/data/tokenizer.h"
#include "ag/data/tokenizer_13a.h"
#include "ag/data/utf8.h"

namespace {

void require(bool condition) {
  if (!condition) __builtin_trap();
}

bool valid(std::string_view text) { return ag::data::utf8::find_invalid(text) == std::string_view::npos; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const ag::data::CharTokenizer chars;
  static const ag::data::WordTokenizer words, lower_words(true);
  try {
    const auto pieces = chars.encode(text);
    require(valid(text) && chars.decode(pieces) == text);
  } catch (const ag::Error&) {
    require(!valid(text));  // only invalid UTF-8 may be refused
  }
  for (const auto* tokenizer : {&words, &lower_words}) {
    try {
      const auto pieces = tokenizer->encode(text);
      for (const auto& piece : pieces) require(!piece.empty() && valid(piece));
      require(tokenizer->encode(tokenizer->decode(pieces)) == pieces);
    } catch (const ag::Error&) {
      require(!valid(text));
    }
  }
  try {
    const std::string tokens = ag::data::tokenize_13a(text);
    require(valid(tokens) || !valid(text));
    require(tokens.find("  ") == std::string::npos);
  } catch (const ag::Error&) {
    require(!valid(text));
  }
  return 0;
}
