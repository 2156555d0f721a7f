// Raw e-mail as plain text, for a text classifier: the subject and the readable body of a message
// as it sits on a mail server (RFC 5322 headers, MIME parts per RFC 2045-2047).
//
//   ag::data::MailCleaning cleaning;
//   std::string text = ag::data::mail_to_text(raw_bytes, cleaning);  // "Subject\n\nbody..."
//   std::cerr << cleaning.summary() << "\n";                        // what had to be done
//
// What happens to a message:
//   headers      Subject is kept, and any other header asked for (From, X-Mailer...) as a
//                "Name: value" line after it; RFC 2047 encoded words (=?utf-8?B?...?=) decoded
//   multipart    every part is visited (nested ones too, up to kMaxMailDepth); of a
//                multipart/alternative, only the first readable part (the same text twice would
//                weigh double)
//   encodings    base64 and quoted-printable bodies are decoded; characters outside the base64
//                alphabet are skipped and counted
//   text/html    tags, comments, <script> and <style> are removed, entities decoded, block tags
//                become line breaks
//   other types  (images, attachments) are skipped and counted: their bytes are not text
//   bytes        a part whose bytes are not UTF-8 is read as Windows-1252 when it says it is
//                Latin-1/Windows-1252/ASCII or names no charset; any byte still invalid becomes U+FFFD
// The result is always valid UTF-8, and a message is never dropped: one with no readable part gives
// its subject alone (counted as `no_text`).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ag::data {

// MIME parts nest; deeper ones (a hostile message) are skipped and counted.
inline constexpr int kMaxMailDepth = 16;

// What cleaning did, summed over every message given the same MailCleaning.
struct MailCleaning {
  int64_t messages = 0;
  int64_t multipart = 0;         // messages of more than one part
  int64_t base64 = 0;            // parts decoded from base64
  int64_t quoted_printable = 0;  // parts decoded from quoted-printable
  int64_t bad_base64 = 0;        // parts with characters outside the base64 alphabet (skipped)
  int64_t html = 0;              // parts converted from HTML
  int64_t recoded = 0;           // parts read as Windows-1252 because their bytes were not UTF-8
  int64_t replaced_bytes = 0;    // invalid bytes that became U+FFFD
  int64_t skipped_parts = 0;     // non-text parts (attachments) and parts nested too deep
  int64_t no_text = 0;           // messages with no readable part: kept with their subject alone

  MailCleaning& operator+=(const MailCleaning& other);
  // "4232 messages: 1183 multipart, 310 base64, ..." (only the counts that are not zero).
  std::string summary() const;
};

// The subject, the `headers` asked for (names in any case; the first of each, if present), a blank
// line and the body text of one raw message. Never throws on any input.
std::string mail_to_text(std::string_view raw, MailCleaning& cleaning, const std::vector<std::string>& headers = {});

// The bytes as valid UTF-8: each byte of a malformed sequence becomes U+FFFD; adds their number to
// `replaced`. Valid UTF-8 comes back unchanged.
std::string repair_utf8(std::string_view bytes, int64_t& replaced);

}  // namespace ag::data
