// libFuzzer target: the labelled-text readers and the mail cleaner of ag::data on arbitrary bytes
// (see docs/fuzzing.md).
//
// mail_to_text must never throw and always give valid UTF-8, counting one message. The TSV reader
// and the folder reader must return texts or throw ag::Error; what they return is valid UTF-8, one
// target per text, each a class index, the classes sorted and distinct. The folder is made from the
// input: its pieces between NUL bytes become files of two class folders, read as plain text or (for
// odd sizes) as raw mail. And unescape_tsv_text undoes escape_tsv_text.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "ag/core/error.h"
#include "ag/data/labelled_text.h"
#include "ag/data/mail.h"
#include "ag/data/utf8.h"
#include "scratch.h"

namespace {

namespace fs = std::filesystem;
using ag::data::LabelledTexts;

void require(bool condition) {
  if (!condition) __builtin_trap();
}

bool valid(std::string_view text) { return ag::data::utf8::find_invalid(text) == std::string_view::npos; }

void check(const LabelledTexts& data) {
  require(data.texts.size() == data.targets.size() && !data.texts.empty());
  require(std::is_sorted(data.classes.begin(), data.classes.end()));
  require(std::adjacent_find(data.classes.begin(), data.classes.end()) == data.classes.end());
  for (const std::string& text : data.texts) require(valid(text));
  for (const std::string& label : data.classes) require(valid(label) && !label.empty());
  for (const int64_t t : data.targets) require(t >= 0 && t < static_cast<int64_t>(data.classes.size()));
  require(data.report.texts == static_cast<int64_t>(data.texts.size()));
}

template <typename F>
void refused_or(F read) {
  try {
    read();
  } catch (const ag::Error&) {
  }
}

// The folder read_text_folder reads: two class folders, made once (a fresh tree for every input
// cost more than the readers under test).
fs::path class_folders() {
  const fs::path set = ag::fuzz::scratch("set");
  fs::create_directories(set / "a");
  fs::create_directories(set / "b");
  return set;
}

// Piece k of an input is the file k.txt, in class a for even k and b for odd.
fs::path piece_file(const fs::path& set, size_t k) { return set / (k % 2 ? "b" : "a") / fmt::format("{}.txt", k); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string tsv = ag::fuzz::scratch("data.tsv");
  static const fs::path set = class_folders();
  static size_t pieces_before = 0;  // the files the previous input left in `set`
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  ag::data::MailCleaning cleaning;
  require(valid(ag::data::mail_to_text(bytes, cleaning)) && cleaning.messages == 1);
  require(ag::data::unescape_tsv_text(ag::data::escape_tsv_text(bytes)) == bytes);

  std::ofstream(tsv, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(size));
  refused_or([&] { check(ag::data::read_labelled_tsv(tsv)); });

  size_t start = 0, pieces = 0;
  while (start <= bytes.size() && pieces < 8) {
    const size_t end = std::min(bytes.find('\0', start), bytes.size());
    const std::string_view text = bytes.substr(start, end - start);
    std::ofstream(piece_file(set, pieces), std::ios::binary | std::ios::trunc)
        .write(text.data(), static_cast<std::streamsize>(text.size()));
    start = end + 1, ++pieces;
  }
  for (size_t k = pieces; k < pieces_before; ++k) fs::remove(piece_file(set, k));
  pieces_before = pieces;
  refused_or([&] { check(ag::data::read_text_folder(set.string(), {.mail = size % 2 == 1})); });
  return 0;
}
