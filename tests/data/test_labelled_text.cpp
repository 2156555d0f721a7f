// The labelled-text readers on good and broken input: class folders (Keras's layout) and
// label<TAB>text files. Nothing may be dropped silently: what is repaired or skipped is counted.
#include <catch2/catch.hpp>

#include <filesystem>

#include "ag/core/error.h"
#include "ag/data/labelled_text.h"
#include "tests/data/temp_dir.h"

using namespace ag::data;
using ag::data::testing::TempDir;

namespace fs = std::filesystem;

TEST_CASE("labelled text: class folders give sorted classes, one text per .txt file", "[data][labelled]") {
  TempDir dir;
  fs::create_directories(dir.path("data/pos"));
  fs::create_directories(dir.path("data/neg"));
  dir.write("data/pos/b.txt", "great film");
  dir.write("data/pos/a.txt", "loved it\nreally");
  dir.write("data/neg/1.txt", "bad \xff\xfe bytes");  // not UTF-8
  dir.write("data/neg/notes.md", "not a text of the set");
  dir.write("data/README", "beside the class folders");
  fs::create_symlink(dir.path("nowhere"), dir.path("data/neg/broken.txt"));  // cannot be read
  const LabelledTexts data = read_labelled_texts(dir.path("data"));
  CHECK(data.classes == std::vector<std::string>{"neg", "pos"});
  CHECK(data.texts == std::vector<std::string>{"bad \uFFFD\uFFFD bytes", "loved it\nreally", "great film"});
  CHECK(data.targets == std::vector<int64_t>{0, 1, 1});
  CHECK(data.report.texts == 3);
  CHECK(data.report.repaired == 1);
  CHECK(data.report.other_files == 2);
  REQUIRE(data.report.skipped.size() == 1);
  CHECK_THAT(data.report.skipped[0], Catch::Contains("broken.txt"));
  CHECK_THAT(data.report.summary(), Catch::Contains("1 unreadable files skipped") && Catch::Contains("broken.txt") &&
                                        Catch::Contains("1 with bytes that were not UTF-8"));
}

TEST_CASE("labelled text: an empty class folder, no class folder or a missing path is an error", "[data][labelled]") {
  TempDir dir;
  fs::create_directories(dir.path("data/pos"));
  fs::create_directories(dir.path("data/neg"));
  dir.write("data/pos/a.txt", "text");
  dir.write("data/neg/a.md", "not .txt");
  CHECK_THROWS_WITH(read_labelled_texts(dir.path("data")), Catch::Contains("neg holds no .txt file"));
  fs::create_directories(dir.path("flat"));
  dir.write("flat/a.txt", "no class folder");
  CHECK_THROWS_WITH(read_labelled_texts(dir.path("flat")), Catch::Contains("holds no class folders"));
  CHECK_THROWS_WITH(read_labelled_texts(dir.path("missing")), Catch::Contains("does not exist"));
  fs::create_directories(dir.path("unreadable/a"));
  fs::create_symlink(dir.path("nowhere"), dir.path("unreadable/a/x.txt"));
  CHECK_THROWS_WITH(read_labelled_texts(dir.path("unreadable")), Catch::Contains("no file under"));
}

TEST_CASE("labelled text: a TSV unescapes its texts, counts blank lines and repairs bad bytes", "[data][labelled]") {
  TempDir dir;
  const std::string path = dir.write(
      "data.tsv", "\xEF\xBB\xBFzoo\tline one\\nline two\\ttabbed \\\\ back\\q\r\n\n  \nart\ttwo\tthree\nzoo\t\xC3\x28\n");
  const LabelledTexts data = read_labelled_texts(path);
  CHECK(data.classes == std::vector<std::string>{"art", "zoo"});
  CHECK(data.texts == std::vector<std::string>{"line one\nline two\ttabbed \\ back\\q", "two\tthree", "\uFFFD("});
  CHECK(data.targets == std::vector<int64_t>{1, 0, 1});
  CHECK(data.report.blank_lines == 2);
  CHECK(data.report.repaired == 1);
  CHECK(unescape_tsv_text(escape_tsv_text("a\\b\tc\nd\\n")) == "a\\b\tc\nd\\n");
  CHECK(escape_tsv_text("a\\b\tc\nd") == "a\\\\b\\tc\\nd");
}

TEST_CASE("labelled text: a TSV line without a tab or label names the line", "[data][labelled]") {
  TempDir dir;
  CHECK_THROWS_WITH(read_labelled_tsv(dir.write("a.tsv", "x\tfine\nno tab here\n")),
                    Catch::Contains("a.tsv:2: no tab"));
  CHECK_THROWS_WITH(read_labelled_tsv(dir.write("b.tsv", "\ttext\n")), Catch::Contains("b.tsv:1: the label"));
  CHECK_THROWS_WITH(read_labelled_tsv(dir.write("c.tsv", "\n\n")), Catch::Contains("holds no label<TAB>text"));
  CHECK_THROWS_WITH(read_labelled_texts(dir.write("d.tsv", "x\ty\n"), {.mail = true}),
                    Catch::Contains("raw mail is read from a folder"));
}
