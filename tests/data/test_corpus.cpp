// The corpus readers: aligned files, TSV, gzip, line endings, a BOM, filtering, and every error.
#include <catch2/catch.hpp>
#include <iterator>
#include <sstream>

#include "ag/core/error.h"
#include "ag/data/corpus.h"
#include "ag/data/text_file.h"
#include "temp_dir.h"

using namespace ag::data;
using ag::data::testing::TempDir;

TEST_CASE("read_lines handles CRLF, a BOM, a missing final newline and empty files", "[data][corpus]") {
  TempDir dir;
  CHECK(read_lines(dir.write("a.txt", "\xEF\xBB\xBFone\r\ntwo\r\n\r\nfour")) ==
        std::vector<std::string>{"one", "two", "", "four"});
  CHECK(read_lines(dir.write("b.txt", "x\n")) == std::vector<std::string>{"x"});
  CHECK(read_lines(dir.write("c.txt", "")).empty());
  CHECK(read_lines(dir.write("d.txt", "\n")) == std::vector<std::string>{""});
  std::istringstream in("a\r\nb");
  CHECK(read_lines(in, "<stdin>") == std::vector<std::string>{"a", "b"});
}

TEST_CASE("gzip files read like plain ones", "[data][corpus]") {
  TempDir dir;
  const std::vector<std::string> lines = {"Grüße", "", "zwei\tdrei"};
  write_lines(dir.path("x.gz"), lines);
  CHECK(read_lines(dir.path("x.gz")) == lines);
  write_lines(dir.path("x.txt"), lines);
  CHECK(read_lines(dir.path("x.txt")) == lines);
}

TEST_CASE("reader errors name the file and what to fix", "[data][corpus]") {
  TempDir dir;
  CHECK_THROWS_WITH(read_lines(dir.path("nope.txt")), Catch::Contains("cannot open") && Catch::Contains("nope.txt") &&
                                                          Catch::Contains("No such file or directory"));
  CHECK_THROWS_WITH(read_lines(dir.path("")), Catch::Contains("is a directory"));
  const std::string bad = dir.write("bad.txt", "fine\nalso fine\ncaf\xE9\n");
  CHECK_THROWS_WITH(read_lines(bad), Catch::Contains(bad + ":3: invalid UTF-8 at byte 4") && Catch::Contains("0xE9"));

  CHECK_THROWS_WITH(write_lines(dir.path("no/such/dir.txt"), {"x"}), Catch::Contains("cannot write"));
  CHECK_THROWS_WITH(write_lines(dir.path("no/such/dir.gz"), {"x"}), Catch::Contains("cannot write"));

  write_lines(dir.path("big.gz"), std::vector<std::string>(5000, "some text to compress"));
  std::ifstream in(dir.path("big.gz"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  const std::string truncated = dir.write("truncated.gz", bytes.substr(0, bytes.size() / 2));
  CHECK_THROWS_WITH(read_lines(truncated), Catch::Contains("truncated.gz") && Catch::Contains("truncated or corrupt"));
}

TEST_CASE("read_parallel pairs aligned files and refuses misaligned ones", "[data][corpus]") {
  TempDir dir;
  const auto de = dir.write("train.de", "Hallo Welt\r\nGuten Morgen\r\n");
  const auto en = dir.write("train.en", "\xEF\xBB\xBFHello world\nGood morning\n");
  const ParallelCorpus corpus = read_parallel(de, en);
  REQUIRE(corpus.pairs.size() == 2);
  CHECK(corpus.pairs[0] == TextPair{"Hallo Welt", "Hello world"});
  CHECK(corpus.pairs[1] == TextPair{"Guten Morgen", "Good morning"});

  const auto short_en = dir.write("short.en", "Hello world\n");
  CHECK_THROWS_WITH(read_parallel(de, short_en), Catch::Contains(de + " has 2 lines but " + short_en + " has 1 lines"));
}

TEST_CASE("read_tsv splits on the first tab and ignores extra columns", "[data][corpus]") {
  TempDir dir;
  const auto tsv = dir.write("pairs.tsv", "Go.\tGeh.\tCC-BY 2.0 #2877272\nHi.\tHallo!\n");
  const ParallelCorpus corpus = read_tsv(tsv);
  REQUIRE(corpus.pairs.size() == 2);
  CHECK(corpus.pairs[0] == TextPair{"Go.", "Geh."});
  CHECK(corpus.pairs[1] == TextPair{"Hi.", "Hallo!"});
  const auto no_tab = dir.write("bad.tsv", "a\tb\nno tab here\n");
  CHECK_THROWS_WITH(read_tsv(no_tab), Catch::Contains(no_tab + ":2: expected 'source<TAB>target'"));
}

TEST_CASE("the filter counts every pair it drops", "[data][corpus]") {
  TempDir dir;
  const auto src = dir.write("s.txt", "short\n\nfine\n   \nway too long for the limit\nnaïve\n");
  const auto tgt = dir.write("t.txt", "kurz\nleer\n\nx\nzu lang\nnaiv\n");
  const ParallelCorpus corpus = read_parallel(src, tgt, {.max_chars = 5});
  CHECK(corpus.stats.read == 6);
  CHECK(corpus.stats.kept == 2);
  CHECK(corpus.stats.empty == 3);
  CHECK(corpus.stats.too_long == 1);
  CHECK(corpus.pairs.back() == TextPair{"naïve", "naiv"});  // 5 code points, 6 bytes: kept
  CHECK(corpus.stats.summary() == "6 read, 2 kept, 3 dropped as empty, 1 dropped as too long");

  const ParallelCorpus all = read_parallel(src, tgt, {.drop_empty = false});
  CHECK(all.pairs.size() == 6);

  const MonolingualCorpus mono = read_monolingual(src);
  CHECK(mono.lines == std::vector<std::string>{"short", "fine", "way too long for the limit", "naïve"});
  CHECK(mono.stats.empty == 2);
}
