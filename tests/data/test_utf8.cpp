// UTF-8 edge cases: malformed sequences, code points beyond the BMP, Unicode whitespace and
// Python-compatible lowercasing.
#include <catch2/catch.hpp>

#include "ag/core/error.h"
#include "ag/data/utf8.h"

using namespace ag::data;

TEST_CASE("find_invalid accepts valid UTF-8 and locates every kind of malformed sequence", "[data][utf8]") {
  const auto npos = std::string_view::npos;
  CHECK(utf8::find_invalid("") == npos);
  CHECK(utf8::find_invalid("plain ascii") == npos);
  CHECK(utf8::find_invalid("Grüße, 日本, 😀") == npos);
  CHECK(utf8::find_invalid("\xF4\x8F\xBF\xBF") == npos);  // U+10FFFF, the last code point
  CHECK(utf8::find_invalid("ab\x80") == 2);               // a continuation byte with no lead
  CHECK(utf8::find_invalid("a\xC0\x80") == 1);            // overlong NUL
  CHECK(utf8::find_invalid("\xE0\x80\xAF") == 0);         // overlong "/"
  CHECK(utf8::find_invalid("x\xED\xA0\x80") == 1);        // a UTF-16 surrogate
  CHECK(utf8::find_invalid("\xF4\x90\x80\x80") == 0);     // above U+10FFFF
  CHECK(utf8::find_invalid("ok\xE2\x82") == 2);           // truncated at the end
  CHECK(utf8::find_invalid("\xE2\x82x") == 0);            // truncated in the middle
  CHECK(utf8::find_invalid("\xFF") == 0);
  CHECK(utf8::find_invalid("latin1 caf\xE9") == 10);  // Latin-1, not UTF-8
}

TEST_CASE("code points, not bytes", "[data][utf8]") {
  CHECK(utf8::split_chars("añ😀b") == std::vector<std::string>{"a", "ñ", "😀", "b"});
  CHECK(utf8::length("añ😀b") == 4);
  CHECK(utf8::decode("a😀") == std::u32string{U'a', U'\U0001F600'});
  CHECK(utf8::encode(U"añ日😀") == "añ日😀");
  CHECK_THROWS_WITH(utf8::decode("ab\xFF"), Catch::Contains("invalid UTF-8 at byte 2"));
}

TEST_CASE("whitespace is Python's str.split()", "[data][utf8]") {
  CHECK(utf8::split_whitespace("  a\tb \n c  ") == std::vector<std::string>{"a", "b", "c"});
  CHECK(utf8::split_whitespace("a\u00A0b\u3000c\u2009d") == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(utf8::split_whitespace(" \t ").empty());
  CHECK(utf8::strip("\u00A0 x y \t") == "x y");
  CHECK(utf8::rstrip("  x  ") == "  x");
  CHECK(utf8::strip("   ").empty());
}

TEST_CASE("lowercase is Unicode-aware like Python's str.lower()", "[data][utf8]") {
  CHECK(utf8::lowercase("ÜBER DIE BRÜCKE FÄHRT EIN ÖLTANKER.") == "über die brücke fährt ein öltanker.");
  CHECK(utf8::lowercase("ÉCOLE À GENÈVE") == "école à genève");
  CHECK(utf8::lowercase("ΣΟΦΟΣ ΑΣ") == "σοφος ας");
  CHECK(utf8::lowercase("МОСКВА") == "москва");
  CHECK(utf8::lowercase("İ") == "i\u0307");
  CHECK(utf8::lowercase("ß 日本 😀") == "ß 日本 😀");
}

TEST_CASE("punctuation includes symbols beyond ASCII", "[data][utf8]") {
  for (char32_t c : std::u32string(U"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~¿«»—€。")) CHECK(utf8::is_punctuation(c));
  for (char32_t c : std::u32string(U"aZ09ßé日 \t")) CHECK_FALSE(utf8::is_punctuation(c));
}
