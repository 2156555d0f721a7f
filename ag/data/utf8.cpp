// UTF-8 decoding, whitespace and lowercasing; see utf8.h.
#include "ag/data/utf8.h"

#include <locale.h>

#include <clocale>
#include <cwctype>

#include "ag/core/error.h"

namespace ag::data::utf8 {
namespace {

// Decodes the sequence starting at text[pos] into *cp and returns its length in bytes, or 0 when the
// bytes there are not well-formed UTF-8 (RFC 3629, table 3-7 of the Unicode standard).
size_t decode_one(std::string_view text, size_t pos, char32_t* cp) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) {
    *cp = lead;
    return 1;
  }
  size_t len;
  char32_t min;  // the smallest code point this length may encode; anything less is "overlong"
  if ((lead & 0xE0) == 0xC0) {
    len = 2, min = 0x80, *cp = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    len = 3, min = 0x800, *cp = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, *cp = lead & 0x07;
  } else {
    return 0;  // a continuation byte where a sequence should start, or 0xF8..0xFF
  }
  if (pos + len > text.size()) return 0;
  for (size_t i = 1; i < len; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (byte(i) & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return 0;
  return len;
}

// Calls f(code_point, byte_offset) for each code point; throws on malformed input.
template <typename F>
void for_each_code_point(std::string_view text, F&& f) {
  for (size_t pos = 0; pos < text.size();) {
    char32_t cp;
    const size_t len = decode_one(text, pos, &cp);
    AG_CHECK(len != 0, "invalid UTF-8 at byte {} (byte 0x{:02X})", pos, static_cast<unsigned char>(text[pos]));
    f(cp, pos, len);
    pos += len;
  }
}

// glibc's C.UTF-8 locale carries Unicode's full simple case mappings; towlower_l uses it without
// touching the program's global locale.
locale_t unicode_locale() {
  static const locale_t loc = [] {
    locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    if (!l) l = newlocale(LC_CTYPE_MASK, "en_US.UTF-8", static_cast<locale_t>(nullptr));
    AG_CHECK(l != nullptr, "utf8::lowercase: no UTF-8 locale (C.UTF-8) is installed; install glibc's locales");
    return l;
  }();
  return loc;
}

bool is_cased(char32_t cp) {
  const auto w = static_cast<wint_t>(cp);
  return towlower_l(w, unicode_locale()) != w || towupper_l(w, unicode_locale()) != w;
}

}  // namespace

size_t find_invalid(std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    char32_t cp;
    const size_t len = decode_one(text, pos, &cp);
    if (len == 0) return pos;
    pos += len;
  }
  return std::string_view::npos;
}

std::u32string decode(std::string_view text) {
  std::u32string out;
  for_each_code_point(text, [&](char32_t cp, size_t, size_t) { out.push_back(cp); });
  return out;
}

void append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string encode(std::u32string_view code_points) {
  std::string out;
  for (char32_t cp : code_points) append(out, cp);
  return out;
}

std::vector<std::string> split_chars(std::string_view text) {
  std::vector<std::string> out;
  for_each_code_point(text, [&](char32_t, size_t pos, size_t len) { out.emplace_back(text.substr(pos, len)); });
  return out;
}

size_t length(std::string_view text) {
  size_t n = 0;
  for_each_code_point(text, [&](char32_t, size_t, size_t) { ++n; });
  return n;
}

bool is_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool is_punctuation(char32_t c) {
  if (c < 0x80)
    return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
  return iswpunct_l(static_cast<wint_t>(c), unicode_locale()) != 0;
}

std::vector<std::string> split_whitespace(std::string_view text) {
  std::vector<std::string> out;
  size_t start = std::string_view::npos;  // byte offset where the current word began
  for_each_code_point(text, [&](char32_t cp, size_t pos, size_t) {
    if (is_space(cp)) {
      if (start != std::string_view::npos) out.emplace_back(text.substr(start, pos - start));
      start = std::string_view::npos;
    } else if (start == std::string_view::npos) {
      start = pos;
    }
  });
  if (start != std::string_view::npos) out.emplace_back(text.substr(start));
  return out;
}

std::string_view rstrip(std::string_view text) {
  size_t end = 0;  // one past the last non-space code point
  for_each_code_point(text, [&](char32_t cp, size_t pos, size_t len) {
    if (!is_space(cp)) end = pos + len;
  });
  return text.substr(0, end);
}

std::string_view strip(std::string_view text) {
  text = rstrip(text);
  size_t begin = text.size();
  for_each_code_point(text, [&](char32_t cp, size_t pos, size_t) {
    if (!is_space(cp) && begin == text.size()) begin = pos;
  });
  return text.substr(begin);
}

std::string lowercase(std::string_view text) {
  const std::u32string cps = decode(text);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < cps.size(); ++i) {
    const char32_t cp = cps[i];
    if (cp < 0x80) {
      out += static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
    } else if (cp == 0x130) {
      // Python's full mapping: capital I with dot above becomes "i" + combining dot above.
      append(out, U'i');
      append(out, 0x307);
    } else if (cp == 0x3A3) {
      // Capital sigma ends a word as "ς" and is "σ" elsewhere (Unicode's Final_Sigma context,
      // simplified: case-ignorable characters between letters are not skipped).
      const bool final = i > 0 && is_cased(cps[i - 1]) && (i + 1 == cps.size() || !is_cased(cps[i + 1]));
      append(out, final ? 0x3C2 : 0x3C3);
    } else {
      append(out, static_cast<char32_t>(towlower_l(static_cast<wint_t>(cp), unicode_locale())));
    }
  }
  return out;
}

}  // namespace ag::data::utf8
