// Raw e-mail to plain text: headers, MIME parts, transfer encodings, charsets and HTML; see mail.h.
#include "ag/data/mail.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <vector>

#include "ag/data/utf8.h"

namespace ag::data {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && lower(s.substr(0, prefix.size())) == prefix;
}

std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A MIME entity: unfolded headers (names lowercased) and the body after the first blank line.
struct Entity {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;

  std::string header(std::string_view name) const {
    for (const auto& [key, value] : headers)
      if (key == name) return value;
    return "";
  }
};

Entity parse_entity(std::string_view text) {
  Entity entity;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = end + 1;
    if (line.empty()) break;  // the blank line before the body
    if ((line[0] == ' ' || line[0] == '\t') && !entity.headers.empty()) {
      entity.headers.back().second.append(" ").append(trim(line));  // a folded continuation
    } else if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
      entity.headers.emplace_back(lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
    }  // else: an mbox "From " line or garbage among the headers, which says nothing about the text
  }
  entity.body = pos < text.size() ? text.substr(pos) : std::string_view();
  return entity;
}

// "text/plain; charset="utf-8"; ..." -> the media type ("text/plain") and the parameter `name`.
std::string media_type(const std::string& content_type) {
  return lower(trim(std::string_view(content_type).substr(0, content_type.find(';'))));
}

std::string parameter(const std::string& content_type, std::string_view name) {
  const std::string low = lower(content_type);
  size_t at = 0;
  while ((at = low.find(name, at)) != std::string::npos) {
    const size_t after = at + name.size();
    const bool starts_word = at == 0 || low[at - 1] == ';' || low[at - 1] == ' ' || low[at - 1] == '\t';
    if (starts_word && after < low.size() && low[after] == '=') {
      std::string_view value = std::string_view(content_type).substr(after + 1);
      if (!value.empty() && value[0] == '"') {
        value.remove_prefix(1);
        return std::string(value.substr(0, value.find('"')));
      }
      return std::string(trim(value.substr(0, value.find(';'))));
    }
    at = after;
  }
  return "";
}

std::string decode_base64(std::string_view in, bool& bad) {
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (const char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else {
      if (c != '=' && c != '\n' && c != '\r' && c != ' ' && c != '\t') bad = true;
      continue;
    }
    bits = (bits << 6) | static_cast<uint32_t>(v);
    if (++count == 4) {
      out += static_cast<char>((bits >> 16) & 0xFF);
      out += static_cast<char>((bits >> 8) & 0xFF);
      out += static_cast<char>(bits & 0xFF);
      bits = 0, count = 0;
    }
  }
  // A final group of 2 or 3 characters carries 1 or 2 bytes (its padding was skipped above).
  if (count == 2) out += static_cast<char>((bits >> 4) & 0xFF);
  if (count == 3) out += static_cast<char>((bits >> 10) & 0xFF), out += static_cast<char>((bits >> 2) & 0xFF);
  return out;
}

// Quoted-printable (RFC 2045 6.7); `underscore_space` for RFC 2047's Q encoding. A malformed "=" is
// kept as it is.
std::string decode_quoted_printable(std::string_view in, bool underscore_space = false) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '_' && underscore_space) {
      out += ' ';
    } else if (c != '=') {
      out += c;
    } else if (i + 2 < in.size() && hex_value(in[i + 1]) >= 0 && hex_value(in[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
      i += 2;
    } else if (i + 1 < in.size() && (in[i + 1] == '\n' || in[i + 1] == '\r')) {  // a soft line break
      i += in[i + 1] == '\r' && i + 2 < in.size() && in[i + 2] == '\n' ? 2 : 1;
    } else {
      out += c;
    }
  }
  return out;
}

// Windows-1252's characters for bytes 0x80-0x9F (0 where it has none); Latin-1 above.
constexpr std::array<char32_t, 32> kCp1252 = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

bool western_charset(const std::string& charset) {
  const std::string c = lower(charset);
  return c.empty() || c == "us-ascii" || c == "ascii" || c.starts_with("iso-8859-1") || c == "latin1" ||
         c == "latin-1" || c.starts_with("windows-125") || c == "cp1252" || c == "iso-8859-15";
}

// Bytes in `charset` as valid UTF-8 (see mail.h for the rules).
std::string to_utf8(std::string_view bytes, const std::string& charset, MailCleaning& cleaning) {
  if (utf8::find_invalid(bytes) == std::string_view::npos) return std::string(bytes);
  if (!western_charset(charset)) return repair_utf8(bytes, cleaning.replaced_bytes);
  ++cleaning.recoded;
  std::string out;
  for (const char ch : bytes) {
    const auto b = static_cast<unsigned char>(ch);
    const char32_t cp = b >= 0x80 && b < 0xA0 ? kCp1252[b - 0x80] : b;
    utf8::append(out, cp == 0 ? U'\uFFFD' : cp);
  }
  return out;
}

// RFC 2047 encoded words in a header: "=?iso-8859-1?Q?caf=E9?=" -> "café".
std::string decode_header(const std::string& value, MailCleaning& cleaning) {
  std::string out;
  size_t pos = 0;
  while (pos < value.size()) {
    const size_t start = value.find("=?", pos);
    const size_t q1 = start == std::string::npos ? start : value.find('?', start + 2);
    const size_t q2 = q1 == std::string::npos ? q1 : value.find('?', q1 + 1);
    const size_t end = q2 == std::string::npos ? q2 : value.find("?=", q2 + 1);
    if (end == std::string::npos) {
      out += value.substr(pos);
      break;
    }
    std::string_view between = std::string_view(value).substr(pos, start - pos);
    if (!trim(between).empty() || out.empty()) out += between;  // whitespace between two words goes
    const std::string charset = value.substr(start + 2, q1 - start - 2);
    const std::string encoding = lower(value.substr(q1 + 1, q2 - q1 - 1));
    const std::string_view text = std::string_view(value).substr(q2 + 1, end - q2 - 1);
    bool bad = false;
    const std::string bytes = encoding == "b" ? decode_base64(text, bad) : decode_quoted_printable(text, true);
    out += to_utf8(bytes, charset, cleaning);
    pos = end + 2;
  }
  return to_utf8(out, "", cleaning);
}

// Where `needle` (lowercase) first occurs in `text` at or after `from`, ignoring case; text.size()
// when it does not. Compares in place: lowercasing a copy of the rest of the text for every
// <script> would make a page of thousands of them quadratic.
size_t find_nocase(std::string_view text, std::string_view needle, size_t from) {
  for (size_t at = from; at + needle.size() <= text.size(); ++at) {
    size_t k = 0;
    while (k < needle.size() && std::tolower(static_cast<unsigned char>(text[at + k])) == needle[k]) ++k;
    if (k == needle.size()) return at;
  }
  return text.size();
}

// How far after its '&' an entity's ';' may stand: room for 9 characters between them, enough for
// "#x10FFFF", "#1114111" and every named entity; a longer spelling (leading zeros) stays as it is.
constexpr size_t kMaxEntity = 10;

// HTML as text: no tags, comments, scripts or styles; entities decoded; block tags as line breaks.
// Linear in the length of `html`: every search is bounded or starts where the last one ended.
std::string html_to_text(std::string_view html) {
  std::string out;
  size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    const char next = i + 1 < html.size() ? html[i + 1] : ' ';
    if (c == '<' && (std::isalpha(static_cast<unsigned char>(next)) || next == '/' || next == '!')) {
      if (html.substr(i, 4) == "<!--") {
        const size_t end = html.find("-->", i + 4);
        i = end == std::string_view::npos ? html.size() : end + 3;
        continue;
      }
      const size_t end = html.find('>', i);
      if (end == std::string_view::npos) break;  // an unclosed tag runs to the end
      const std::string tag = lower(html.substr(i + 1, std::min<size_t>(end - i - 1, 12)));
      if (tag.starts_with("script") || tag.starts_with("style")) {  // their content is not text
        i = find_nocase(html, tag.starts_with("script") ? "</script" : "</style", end);
        continue;
      }
      const bool block = tag.starts_with("br") || tag.starts_with("p") || tag.starts_with("/p") ||
                         tag.starts_with("div") || tag.starts_with("/div") || tag.starts_with("tr") ||
                         tag.starts_with("li") || tag.starts_with("h");
      out += block ? '\n' : ' ';
      i = end + 1;
      continue;
    }
    if (c == '&') {
      // Only as far as the longest entity: an '&' without its ';' must not send a search to the end
      // of the text, once for every '&'.
      const size_t semi = html.substr(i, kMaxEntity + 1).find(';');
      if (semi != std::string_view::npos) {
        const std::string entity = lower(html.substr(i + 1, semi - 1));
        std::optional<char32_t> cp;
        if (entity == "amp") cp = '&';
        else if (entity == "lt") cp = '<';
        else if (entity == "gt") cp = '>';
        else if (entity == "quot") cp = '"';
        else if (entity == "apos") cp = '\'';
        else if (entity == "nbsp") cp = ' ';
        else if (entity.size() > 1 && entity[0] == '#') {
          const bool hex = entity[1] == 'x';
          uint32_t v = 0;
          bool ok = entity.size() > (hex ? 2u : 1u);
          for (size_t k = hex ? 2 : 1; ok && k < entity.size(); ++k) {
            const int d = hex ? hex_value(entity[k]) : (std::isdigit(static_cast<unsigned char>(entity[k])) ? entity[k] - '0' : -1);
            ok = d >= 0 && v <= 0x10FFFF;
            v = v * (hex ? 16 : 10) + static_cast<uint32_t>(std::max(d, 0));
          }
          const bool scalar = ok && v > 0 && v <= 0x10FFFF && (v < 0xD800 || v > 0xDFFF);
          cp = scalar ? static_cast<char32_t>(v) : U'\uFFFD';
        }
        if (cp) {
          utf8::append(out, *cp);
          i += semi + 1;
          continue;
        }
      }
    }
    out += c;
    ++i;
  }
  return out;
}

// Runs of blanks become one space, runs of blank lines one empty line.
std::string squeeze_whitespace(std::string_view text) {
  std::string out;
  int newlines = 0;
  bool space = false;
  for (const char c : text) {
    if (c == '\n') {
      ++newlines, space = false;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      space = true;
    } else {
      if (!out.empty()) out += newlines > 1 ? "\n\n" : newlines == 1 ? "\n" : space ? " " : "";
      out += c;
      newlines = 0, space = false;
    }
  }
  return out;
}

// A single part's body: transfer encoding undone, charset to UTF-8, HTML to text.
bool collect_body(std::string_view body, const std::string& type, const std::string& content_type,
                  const std::string& transfer_encoding, MailCleaning& cleaning, std::string& out) {
  const std::string encoding = lower(trim(transfer_encoding));
  std::string bytes;
  if (encoding == "base64") {
    bool bad = false;
    bytes = decode_base64(body, bad);
    ++cleaning.base64;
    cleaning.bad_base64 += bad;
  } else if (encoding == "quoted-printable") {
    bytes = decode_quoted_printable(body);
    ++cleaning.quoted_printable;
  } else {
    bytes = body;
  }
  std::string text = to_utf8(bytes, parameter(content_type, "charset"), cleaning);
  if (type == "text/html") {
    text = html_to_text(text);
    ++cleaning.html;
  }
  text = squeeze_whitespace(text);
  out += text;
  return !text.empty();
}

// The text of an entity and its parts, appended to `out`; false when it had no readable text.
bool collect_text(std::string_view raw, int depth, MailCleaning& cleaning, std::string& out);

bool collect_multipart(const Entity& entity, const std::string& boundary, bool alternative, int depth,
                       MailCleaning& cleaning, std::string& out) {
  const std::string delimiter = "--" + boundary;
  std::vector<std::string_view> parts;
  size_t pos = 0, part_start = std::string_view::npos;
  const std::string_view body = entity.body;
  while (pos <= body.size()) {
    const size_t end = std::min(body.find('\n', pos), body.size());
    std::string_view line = body.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.starts_with(delimiter)) {
      if (part_start != std::string_view::npos) parts.push_back(body.substr(part_start, pos - part_start));
      part_start = end + 1 <= body.size() ? end + 1 : body.size();
      if (trim(line.substr(delimiter.size())) == "--") {
        part_start = std::string_view::npos;
        break;
      }
    }
    pos = end + 1;
  }
  if (part_start != std::string_view::npos && part_start < body.size()) parts.push_back(body.substr(part_start));
  if (parts.empty())  // the boundary never appears: read the body as one text
    return collect_body(body, "text/plain", "", entity.header("content-transfer-encoding"), cleaning, out);
  bool any = false;
  for (const std::string_view part : parts) {
    if (alternative && any) break;
    std::string text;
    if (collect_text(part, depth + 1, cleaning, text)) {
      out += text + "\n";
      any = true;
    }
  }
  return any;
}

bool collect_text(std::string_view raw, int depth, MailCleaning& cleaning, std::string& out) {
  if (depth > kMaxMailDepth) {
    ++cleaning.skipped_parts;
    return false;
  }
  const Entity entity = parse_entity(raw);
  const std::string content_type = entity.header("content-type");
  const std::string type = content_type.empty() ? "text/plain" : media_type(content_type);
  if (type.starts_with("multipart/")) {
    const std::string boundary = parameter(content_type, "boundary");
    if (!boundary.empty()) return collect_multipart(entity, boundary, type == "multipart/alternative", depth, cleaning, out);
  }
  if (type == "message/rfc822") return collect_text(entity.body, depth + 1, cleaning, out);
  if (!type.starts_with("text/") && !type.starts_with("multipart/") && type.find('/') != std::string::npos) {
    ++cleaning.skipped_parts;  // an image, a program, a document: not text
    return false;
  }
  return collect_body(entity.body, type, content_type, entity.header("content-transfer-encoding"), cleaning, out);
}

}  // namespace

MailCleaning& MailCleaning::operator+=(const MailCleaning& o) {
  messages += o.messages, multipart += o.multipart, base64 += o.base64, quoted_printable += o.quoted_printable;
  bad_base64 += o.bad_base64, html += o.html, recoded += o.recoded, replaced_bytes += o.replaced_bytes;
  skipped_parts += o.skipped_parts, no_text += o.no_text;
  return *this;
}

std::string MailCleaning::summary() const {
  std::string out = fmt::format("{} messages", messages);
  const std::pair<int64_t, const char*> counts[] = {
      {multipart, "multipart"},
      {base64, "base64 parts decoded"},
      {quoted_printable, "quoted-printable parts decoded"},
      {bad_base64, "base64 parts with stray characters (skipped)"},
      {html, "HTML parts converted to text"},
      {recoded, "parts read as Windows-1252"},
      {replaced_bytes, "invalid bytes replaced by U+FFFD"},
      {skipped_parts, "non-text parts skipped"},
      {no_text, "messages with no readable body (subject kept)"}};
  for (const auto& [count, what] : counts)
    if (count > 0) out += fmt::format(", {} {}", count, what);
  return out;
}

std::string repair_utf8(std::string_view bytes, int64_t& replaced) {
  std::string out;
  while (!bytes.empty()) {
    const size_t bad = utf8::find_invalid(bytes);
    if (bad == std::string_view::npos) {
      out += bytes;
      break;
    }
    out += bytes.substr(0, bad);
    // Drop one byte: the rest of the sequence, if it is one, is checked again from the next byte.
    out += "\xEF\xBF\xBD";
    ++replaced;
    bytes.remove_prefix(bad + 1);
  }
  return out;
}

std::string mail_to_text(std::string_view raw, MailCleaning& cleaning, const std::vector<std::string>& headers) {
  ++cleaning.messages;
  const Entity message = parse_entity(raw);
  std::string subject = decode_header(message.header("subject"), cleaning);
  for (const std::string& name : headers) {
    const std::string value = message.header(lower(name));
    if (!value.empty()) subject += "\n" + name + ": " + decode_header(value, cleaning);
  }
  if (starts_with_nocase(message.header("content-type"), "multipart/")) ++cleaning.multipart;
  std::string body;
  if (!collect_text(raw, 0, cleaning, body)) ++cleaning.no_text;
  return squeeze_whitespace(subject + "\n\n" + squeeze_whitespace(body));
}

}  // namespace ag::data
