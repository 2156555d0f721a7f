// SentencePiece: train BPE and unigram models on a corpus the test writes, load, encode, decode.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "ag/core/error.h"
#include "ag/data/sentencepiece_tokenizer.h"
#include "ag/data/tasks.h"
#include "ag/data/text_file.h"
#include "temp_dir.h"

using namespace ag::data;
using ag::data::testing::TempDir;

namespace {

// A few hundred short English-like sentences with repeated words, so subwords are worth learning.
std::vector<std::string> corpus() {
  const std::vector<std::string> subjects = {"the cat", "a dog", "my neighbour", "the old teacher", "two children"};
  const std::vector<std::string> verbs = {"walks", "is walking", "walked", "reads", "was reading", "likes"};
  const std::vector<std::string> objects = {"in the park",    "every morning", "a long book",
                                            "near the river", "with friends",  "quietly"};
  std::vector<std::string> lines;
  for (const auto& s : subjects)
    for (const auto& v : verbs)
      for (const auto& o : objects) lines.push_back(s + " " + v + " " + o + ".");
  return lines;
}

void check_model(const SentencePieceTokenizer& spm) {
  const Vocab vocab = spm.vocab();
  CHECK(vocab.size() == spm.size());
  CHECK(vocab.piece(Vocab::kPad) == "<pad>");
  CHECK(vocab.piece(Vocab::kUnk) == "<unk>");
  CHECK(vocab.piece(Vocab::kBos) == "<bos>");
  CHECK(vocab.piece(Vocab::kEos) == "<eos>");
  for (const std::string text : {"the cat walks in the park.", "two children likes a long book."}) {
    const auto pieces = spm.encode(text);
    CHECK(pieces.size() < text.size());  // subwords, not characters
    CHECK(spm.decode(pieces) == text);
    CHECK(spm.decode_ids(spm.encode_ids(text, vocab), vocab) == text);
  }
  // Characters never seen in training become <unk> rather than failing.
  const auto ids = spm.encode_ids("a €", vocab);
  CHECK(std::count(ids.begin(), ids.end(), Vocab::kUnk) == 1);
}

}  // namespace

TEST_CASE("SentencePiece trains BPE and unigram models and round-trips text", "[data][sentencepiece]") {
  TempDir dir;
  write_lines(dir.path("corpus.txt.gz"), corpus());
  for (const std::string type : {"bpe", "unigram"}) {
    INFO(type);
    const auto spm = SentencePieceTokenizer::train({dir.path("corpus.txt.gz")}, dir.path(type),
                                                   {.model_type = type, .vocab_size = 50});
    CHECK(spm.size() == 50);
    CHECK(std::filesystem::exists(dir.path(type + ".model")));
    CHECK(std::filesystem::exists(dir.path(type + ".vocab")));
    check_model(spm);
    const SentencePieceTokenizer loaded(dir.path(type + ".model"));
    CHECK(loaded.encode("a dog reads quietly.") == spm.encode("a dog reads quietly."));
    CHECK(make_tokenizer("spm", dir.path(type + ".model"))->name() == "spm");
  }
}

TEST_CASE("SentencePiece errors say what went wrong", "[data][sentencepiece]") {
  TempDir dir;
  write_lines(dir.path("small.txt"), {"tiny corpus", "of two lines"});
  CHECK_THROWS_WITH(SentencePieceTokenizer::train({dir.path("small.txt")}, dir.path("m"), {.vocab_size = 5000}),
                    Catch::Contains("SentencePiece training") && Catch::Contains("ocabulary size"));
  const auto small = SentencePieceTokenizer::train_on_lines(
      {"tiny corpus", "", "of two lines"}, dir.path("s"),
      {.model_type = "bpe", .vocab_size = 5000, .hard_vocab_limit = false});
  CHECK(small.size() < 5000);
  CHECK(small.decode(small.encode("tiny lines")) == "tiny lines");
  CHECK_THROWS_WITH(SentencePieceTokenizer::train_on_lines({"", ""}, dir.path("e")),
                    Catch::Contains("no non-empty sentence"));
  CHECK_THROWS_WITH(SentencePieceTokenizer::train({dir.path("missing.txt")}, dir.path("m")),
                    Catch::Contains("cannot open"));
  CHECK_THROWS_WITH(SentencePieceTokenizer(dir.path("missing.model")),
                    Catch::Contains("cannot load SentencePiece model"));
}

TEST_CASE("SentencePiece: a damaged model file is refused with ag::Error, whatever SentencePiece throws",
          "[data][sentencepiece]") {
  TempDir dir;
  write_lines(dir.path("corpus.txt"), corpus());
  SentencePieceTokenizer::train({dir.path("corpus.txt")}, dir.path("m"), {.vocab_size = 50});
  std::string model;
  {
    std::ifstream in(dir.path("m.model"), std::ios::binary);
    model.assign(std::istreambuf_iterator<char>(in), {});
  }
  // One more entry in the ModelProto's repeated field 1 (pieces): a piece whose string is empty
  // (field 1, length 0) with score 0.0 (field 2, fixed32). SentencePiece's trie builder throws
  // its own exception (Darts::Details::Exception) on it. Found by fuzz_sentencepiece.
  const std::string empty_piece("\x0a\x07\x0a\x00\x15\x00\x00\x00\x00", 9);
  std::ofstream(dir.path("damaged.model"), std::ios::binary) << model + empty_piece;
  CHECK_THROWS_WITH(SentencePieceTokenizer(dir.path("damaged.model")),
                    Catch::Contains("cannot load SentencePiece model") && Catch::Contains("damaged.model"));
}
