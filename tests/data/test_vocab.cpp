// Vocab: the fixed special ids, building from counts, lookups, and the plain-text file format.
#include <catch2/catch.hpp>

#include "ag/core/error.h"
#include "ag/data/tokenizer.h"
#include "ag/data/vocab.h"
#include "temp_dir.h"

using namespace ag::data;
using ag::data::testing::TempDir;

TEST_CASE("the special pieces have fixed ids", "[data][vocab]") {
  const Vocab vocab;
  CHECK(vocab.size() == 4);
  CHECK(vocab.id("<pad>") == 0);
  CHECK(vocab.id("<unk>") == 1);
  CHECK(vocab.id("<bos>") == 2);
  CHECK(vocab.id("<eos>") == 3);
  CHECK(vocab.id("anything") == Vocab::kUnk);
  CHECK(vocab.is_special(3));
  CHECK_FALSE(vocab.is_special(4));
  CHECK_THROWS_WITH(vocab.piece(4), Catch::Contains("id 4 is outside [0, 4)"));
  CHECK_THROWS_AS(vocab.piece(-1), ag::Error);
}

TEST_CASE("build keeps frequent pieces, most frequent first", "[data][vocab]") {
  const PieceCounts counts = {{"the", 10}, {"cat", 3}, {"bat", 3}, {"rare", 1}, {"a", 7}};
  const Vocab all = Vocab::build(counts);
  CHECK(all.to_pieces(std::vector<int64_t>{4, 5, 6, 7, 8}) ==
        std::vector<std::string>{"the", "a", "bat", "cat", "rare"});
  CHECK(Vocab::build(counts, 3).size() == 4 + 4);
  const Vocab capped = Vocab::build(counts, 1, 6);
  CHECK(capped.size() == 6);
  CHECK(capped.contains("a"));
  CHECK_FALSE(capped.contains("bat"));
  CHECK(capped.to_ids({"the", "bat"}) == std::vector<int64_t>{4, Vocab::kUnk});
  CHECK_THROWS_WITH(Vocab::build(counts, 1, 3), Catch::Contains("no room for the 4 special pieces"));
}

TEST_CASE("save and load round-trip every piece", "[data][vocab]") {
  TempDir dir;
  Vocab vocab;
  for (const std::string piece : {" ", "\\", "a\nb", "x\r", "日本", "\\n", "<unk>"}) vocab.add(piece);
  CHECK(vocab.size() == 4 + 6);  // "<unk>" was there already
  vocab.save(dir.path("vocab.txt"));
  CHECK(Vocab::load(dir.path("vocab.txt")) == vocab);
}

TEST_CASE("load explains a bad vocabulary file", "[data][vocab]") {
  TempDir dir;
  CHECK_THROWS_WITH(Vocab::load(dir.write("a.txt", "<unk>\n<pad>\n<bos>\n<eos>\n")),
                    Catch::Contains("a.txt:1: expected '<pad>' but found '<unk>'"));
  CHECK_THROWS_WITH(Vocab::load(dir.write("b.txt", "<pad>\n<unk>\n")), Catch::Contains("has 2 lines"));
  CHECK_THROWS_WITH(Vocab::load(dir.write("c.txt", "<pad>\n<unk>\n<bos>\n<eos>\nx\nx\n")),
                    Catch::Contains("c.txt:6: 'x' appears twice"));
  CHECK_THROWS_WITH(Vocab::load(dir.write("d.txt", "<pad>\n<unk>\n<bos>\n<eos>\na\\t\n")),
                    Catch::Contains("d.txt:5: unknown escape"));
  CHECK_THROWS_WITH(Vocab::load(dir.path("missing.txt")), Catch::Contains("cannot open"));
  const Vocab crlf = Vocab::load(dir.write("e.txt", "<pad>\r\n<unk>\r\n<bos>\r\n<eos>\r\nword\r\n"));
  CHECK(crlf.id("word") == 4);
}
