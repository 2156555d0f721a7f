// The mail cleaner on messages written by hand for each thing raw mail does: MIME parts, base64,
// quoted-printable, HTML, charsets, encoded subjects, attachments, bytes that are not UTF-8, and
// malformed or hostile structure. The output must be valid UTF-8 and every cleaning counted.
#include <catch2/catch.hpp>

#include "ag/data/mail.h"
#include "ag/data/utf8.h"

using namespace ag::data;

namespace {

bool valid(const std::string& text) { return utf8::find_invalid(text) == std::string::npos; }

std::string clean(const std::string& raw, MailCleaning& cleaning, const std::vector<std::string>& headers = {}) {
  std::string text = mail_to_text(raw, cleaning, headers);
  CHECK(valid(text));
  return text;
}

}  // namespace

TEST_CASE("mail: a plain message gives its subject and body, headers and folding gone", "[data][mail]") {
  MailCleaning c;
  const std::string text = clean("From someone@example.com Mon Jan  1 00:00:00 2002\n"
                                 "Received: from x\n  by y\nSubject: Cheap\n  offers\n"
                                 "Content-Type: text/plain\n\nBuy   now.\n\n\n\nReally.\n",
                                 c);
  CHECK(text == "Cheap offers\n\nBuy now.\n\nReally.");
  CHECK(c.messages == 1);
  CHECK(c.summary() == "1 messages");
  // Headers asked for follow the subject, decoded; a header the message lacks is left out.
  CHECK(clean("Subject: s\nFROM: =?utf-8?Q?Jos=C3=A9?= <j@x>\nX-Mailer: M 1.0\n\nbody\n", c,
              {"From", "X-Mailer", "List-Id"}) == "s\nFrom: José <j@x>\nX-Mailer: M 1.0\n\nbody");
}

TEST_CASE("mail: base64 and quoted-printable parts are decoded, Latin-1 recoded", "[data][mail]") {
  MailCleaning c;
  const std::string raw =
      "Subject: =?iso-8859-1?Q?Caf=E9_au_lait?= =?utf-8?B?4pyT?=\n"
      "Content-Type: multipart/mixed; boundary=\"XYZ\"\n\n"
      "preamble nobody reads\n"
      "--XYZ\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
      "aMOpbGxvIHdvcmxk\n"  // "héllo world"
      "--XYZ\nContent-Type: text/plain; charset=\"iso-8859-1\"\nContent-Transfer-Encoding: quoted-printable\n\n"
      "na=EFve soft=\nbreak =3D equals\n"
      "--XYZ\nContent-Type: image/gif\nContent-Transfer-Encoding: base64\n\nR0lGODlhAQABAAAAACw=\n"
      "--XYZ--\nepilogue\n";
  const std::string text = clean(raw, c);
  CHECK(text == "Café au lait\u2713\n\nhéllo world\nnaïve softbreak = equals");
  CHECK(c.multipart == 1);
  CHECK(c.base64 == 1);  // the image is skipped before it is decoded
  CHECK(c.quoted_printable == 1);
  CHECK(c.recoded >= 2);  // the subject's word and the quoted-printable part
  CHECK(c.skipped_parts == 1);
}

TEST_CASE("mail: of multipart/alternative only the first readable part counts; HTML becomes text",
          "[data][mail]") {
  MailCleaning c;
  const std::string raw =
      "Subject: hi\nContent-Type: multipart/alternative; boundary=b1\n\n"
      "--b1\nContent-Type: text/html\n\n"
      "<html><head><style>p {color: red}</style><script>var x = '<b>';</script></head>"
      "<body><p>Fish &amp; chips &lt;3 &#233;&#x41;&nbsp;!</p><!-- hidden --><br>a < b</body></html>\n"
      "--b1\nContent-Type: text/plain\n\nthe same, in plain text\n--b1--\n";
  const std::string text = clean(raw, c);
  CHECK(text == "hi\n\nFish & chips <3 éA !\n\na < b");
  CHECK(c.html == 1);
}

TEST_CASE("mail: HTML's scripts end at their closing tag in any case, entities within 10 bytes of '&'",
          "[data][mail]") {
  // These are the paths a hostile page stresses (thousands of <script>s, '&' after '&' without a
  // ';'); html_to_text reads them in one pass, and this is what it must still give.
  MailCleaning c;
  const auto html = [&](const std::string& body) { return clean("Content-Type: text/html\n\n" + body, c); };
  CHECK(html("before<script>var x = 1; <b>never closed") == "before");
  CHECK(html("a<SCRIPT>x</ScRiPt >b<style>p {}</STYLE>c") == "a b c");
  std::string scripts;
  for (int i = 0; i < 1000; ++i) scripts += "<script>x</script><Style>y</sTyle>";
  CHECK(html(scripts + "end") == "end");
  // The ';' may stand at most 10 bytes after its '&'; beyond, the text stays as written.
  CHECK(html("&#00000065; &#000000065; &#x10FFFF;") == "A &#000000065; \U0010FFFF");
  CHECK(html("fish & chips &amp salt &lt;3") == "fish & chips &amp salt <3");
  CHECK(html(std::string(3000, '&') + "&amp;") == std::string(3001, '&'));
}

TEST_CASE("mail: bytes that are not UTF-8 become U+FFFD and are counted", "[data][mail]") {
  MailCleaning c;
  // Declared UTF-8 but is not; an unknown charset; a message without a body.
  CHECK(clean("Subject: x\nContent-Type: text/plain; charset=utf-8\n\nbad \xC3\x28 here\n", c) ==
        "x\n\nbad \uFFFD( here");
  CHECK(clean("Subject: y\nContent-Type: text/plain; charset=koi8-r\n\n\xF0\xD2\xC9\n", c) ==
        "y\n\n\uFFFD\uFFFD\uFFFD");
  CHECK(c.replaced_bytes == 4);
  // No charset named: Windows-1252, where 0x93 and 0x94 are curly quotes.
  CHECK(clean("Subject: z\n\n\x93quoted\x94\n", c) == "z\n\n\u201Cquoted\u201D");
  CHECK(clean("Subject: only a subject\n", c) == "only a subject");
  CHECK(c.no_text == 1);
  CHECK(c.messages == 4);
}

TEST_CASE("mail: broken and hostile structure never crashes and keeps the message", "[data][mail]") {
  MailCleaning c;
  // A boundary that never appears, a part that never closes, stray base64, an unclosed tag.
  CHECK(clean("Content-Type: multipart/mixed; boundary=nope\n\nbody text\n", c) == "body text");
  CHECK(clean("Content-Type: multipart/mixed; boundary=q\n\n--q\n\nunclosed part\n", c) == "unclosed part");
  CHECK(clean("Content-Transfer-Encoding: base64\n\naGk*!\n", c) == "hi");
  CHECK(c.bad_base64 == 1);
  CHECK(clean("Content-Type: text/html\n\nbefore <b unclosed", c) == "before");
  // Parts nested deeper than kMaxMailDepth are skipped, not followed.
  std::string nested;
  for (int i = 0; i < kMaxMailDepth + 5; ++i) nested += "Content-Type: message/rfc822\n\n";
  nested += "deep text\n";
  MailCleaning deep;
  CHECK(clean(nested, deep).find("deep text") == std::string::npos);
  CHECK(deep.skipped_parts == 1);
  // Garbage of every byte value.
  std::string garbage;
  for (int i = 0; i < 2000; ++i) garbage += static_cast<char>((i * 131) % 256);
  clean(garbage, c);
  clean("", c);
  CHECK(c.messages == 6);
}

TEST_CASE("mail: repair_utf8 keeps valid text and replaces each bad byte", "[data][mail]") {
  int64_t replaced = 0;
  CHECK(repair_utf8("h\xC3\xA9llo", replaced) == "h\xC3\xA9llo");
  CHECK(replaced == 0);
  CHECK(repair_utf8("\xE2\x82", replaced) == "\uFFFD\uFFFD");  // a cut-off sequence
  CHECK(replaced == 2);
}
