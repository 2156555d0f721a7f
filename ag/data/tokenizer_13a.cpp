// The 13a tokenizer; see tokenizer_13a.h.
//
// sacreBLEU applies four regular expressions in turn with Python's re.sub:
//   1. ([\{-\~\[-\` -\&\(-\+\:-\@\/])  ->  " \1 "     punctuation and symbols
//   2. ([^0-9])([\.,])                  ->  "\1 \2 "   "." or "," after a non-digit
//   3. ([\.,])([^0-9])                  ->  " \1 \2"   "." or "," before a non-digit
//   4. ([0-9])(-)                       ->  "\1 \2 "   "-" after a digit
// Each is re-implemented below as a left-to-right scan over bytes that replaces non-overlapping
// matches, which is what re.sub does. Working on bytes rather than code points gives the same result:
// every character the patterns name is ASCII, and the bytes of a multi-byte UTF-8 character are never
// digits, "." or ",", so they fall in "[^0-9]" exactly when the whole character would.
#include "ag/data/tokenizer_13a.h"

#include "ag/data/utf8.h"

namespace ag::data {
namespace {

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_period_or_comma(char c) { return c == '.' || c == ','; }

// Rule 1's character class: { | } ~  [ \ ] ^ _ `  space ! " # $ % &  ( ) * +  : ; < = > ? @  /
bool is_13a_symbol(char c) {
  return (c >= '{' && c <= '~') || (c >= '[' && c <= '`') || (c >= ' ' && c <= '&') || (c >= '(' && c <= '+') ||
         (c >= ':' && c <= '@') || c == '/';
}

// re.sub for a two-character pattern (first, second) -> before + first + middle + second + after.
template <typename First, typename Second>
std::string substitute_pairs(const std::string& s, First first, Second second, std::string_view before,
                             std::string_view middle, std::string_view after) {
  std::string out;
  out.reserve(s.size() + s.size() / 4);
  size_t i = 0;
  while (i < s.size()) {
    if (i + 1 < s.size() && first(s[i]) && second(s[i + 1])) {
      out.append(before).append(1, s[i]).append(middle).append(1, s[i + 1]).append(after);
      i += 2;
    } else {
      out += s[i++];
    }
  }
  return out;
}

}  // namespace

std::string tokenize_13a(std::string_view input) {
  std::string line(input);
  replace_all(line, "<skipped>", "");
  replace_all(line, "-\n", "");
  replace_all(line, "\n", " ");
  if (line.find('&') != std::string::npos) {
    replace_all(line, "&quot;", "\"");
    replace_all(line, "&amp;", "&");
    replace_all(line, "&lt;", "<");
    replace_all(line, "&gt;", ">");
  }
  std::string spaced;
  for (char c : " " + line + " ") {
    if (is_13a_symbol(c))
      spaced.append(1, ' ').append(1, c).append(1, ' ');
    else
      spaced += c;
  }
  const auto non_digit = [](char c) { return !is_digit(c); };
  spaced = substitute_pairs(spaced, non_digit, is_period_or_comma, "", " ", " ");
  spaced = substitute_pairs(spaced, is_period_or_comma, non_digit, " ", " ", "");
  spaced = substitute_pairs(
      spaced, is_digit, [](char c) { return c == '-'; }, "", " ", " ");
  std::string out;
  for (const auto& word : utf8::split_whitespace(spaced)) {
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

}  // namespace ag::data
