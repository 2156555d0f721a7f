// UTF-8 in one place: validating, splitting into code points, Unicode whitespace and lowercasing.
//
// Everything in ag::data that counts "characters" counts Unicode code points, not bytes: the character
// tokenizer, chrF's character n-grams, the reader's length filter. Whitespace and lowercasing follow
// Python's `str.split()` and `str.lower()`, because sacreBLEU (whose scores we must reproduce) is
// written in Python.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ag::data::utf8 {

// Byte offset of the first malformed sequence in `text`, or std::string_view::npos when `text` is
// valid UTF-8. Strict, like Python's decoder: overlong forms, surrogates (U+D800..U+DFFF) and code
// points above U+10FFFF are malformed.
size_t find_invalid(std::string_view text);

// The code points of valid UTF-8 text; throws ag::Error naming the byte offset otherwise.
std::u32string decode(std::string_view text);

// Appends the UTF-8 encoding of one code point.
void append(std::string& out, char32_t code_point);
std::string encode(std::u32string_view code_points);

// One string per code point: "añb" -> {"a", "ñ", "b"}.
std::vector<std::string> split_chars(std::string_view text);

// Number of code points in valid UTF-8 text.
size_t length(std::string_view text);

// Python's str.isspace(): ASCII whitespace, U+001C..U+001F, NEL, NBSP, U+1680, U+2000..U+200A,
// U+2028, U+2029, U+202F, U+205F and U+3000.
bool is_space(char32_t code_point);

// Punctuation and symbols: ASCII's !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~ and, beyond ASCII, every
// printable character that is neither a letter, a digit nor a space ("¿", "«", "—", "€", "。").
bool is_punctuation(char32_t code_point);

// Python's str.split() with no argument: split on runs of Unicode whitespace, drop empty pieces.
std::vector<std::string> split_whitespace(std::string_view text);

// Python's str.strip() / str.rstrip(): remove Unicode whitespace from both ends / the right end.
std::string_view strip(std::string_view text);
std::string_view rstrip(std::string_view text);

// Python's str.lower(): Unicode-aware ("ÄÖÜ" -> "äöü", "ΣΟΦΟΣ" -> "σοφος" with a final sigma).
std::string lowercase(std::string_view text);

}  // namespace ag::data::utf8
