// Character and word tokenizers: splitting, round trips, and ids through a Vocab.
#include <catch2/catch.hpp>

#include "ag/core/error.h"
#include "ag/data/tokenizer.h"
#include "ag/data/vocab.h"

using namespace ag::data;

namespace {
const std::vector<std::string> kTexts = {"Hello, world!", "  two  spaces\tand a tab ", "naïve café — 日本語 😀", "",
                                         "don't stop (at) 3.5%"};
}

TEST_CASE("CharTokenizer splits code points and round-trips exactly", "[data][tokenizer]") {
  CharTokenizer chars;
  CHECK(chars.encode("añ 😀") == std::vector<std::string>{"a", "ñ", " ", "😀"});
  CHECK(chars.is_lossless());
  for (const auto& text : kTexts) CHECK(chars.decode(chars.encode(text)) == text);
  CHECK_THROWS_WITH(chars.encode("bad \xFF"), Catch::Contains("invalid UTF-8"));
}

TEST_CASE("WordTokenizer splits whitespace and punctuation", "[data][tokenizer]") {
  WordTokenizer words;
  CHECK(words.encode("Hello, world!") == std::vector<std::string>{"Hello", ",", "world", "!"});
  CHECK(words.encode("don't «stop» 3.5%") ==
        std::vector<std::string>{"don", "'", "t", "«", "stop", "»", "3", ".", "5", "%"});
  CHECK(words.encode(" \t ").empty());
  CHECK(words.decode({"Hello", ",", "world"}) == "Hello , world");
  CHECK_FALSE(words.is_lossless());
  for (const auto& text : kTexts) CHECK(words.encode(words.decode(words.encode(text))) == words.encode(text));
  CHECK(WordTokenizer(true).encode("ÄPFEL und Birnen") == std::vector<std::string>{"äpfel", "und", "birnen"});
}

TEST_CASE("ids go through a Vocab, unknown pieces become <unk>", "[data][tokenizer]") {
  CharTokenizer chars;
  const Vocab vocab = Vocab::build(count_pieces({"abba", "cab"}, chars));
  CHECK(vocab.size() == 4 + 3);
  CHECK(vocab.piece(4) == "a");  // a: 3, b: 3, c: 1; ties in byte order
  CHECK(vocab.piece(5) == "b");
  const auto ids = chars.encode_ids("abz", vocab);
  CHECK(ids == std::vector<int64_t>{4, 5, Vocab::kUnk});
  CHECK(chars.decode_ids(ids, vocab) == "ab<unk>");
  const std::vector<int64_t> output = {Vocab::kBos, 6, 4, Vocab::kPad, 5, Vocab::kEos, 4, 4};
  CHECK(chars.decode_ids(output, vocab) == "cab");  // <bos>, <pad> skipped; stops at <eos>
}

TEST_CASE("make_tokenizer by name", "[data][tokenizer]") {
  CHECK(make_tokenizer("char")->name() == "char");
  CHECK(make_tokenizer("word")->name() == "word");
  CHECK(make_tokenizer("word-lc")->encode("A B") == std::vector<std::string>{"a", "b"});
  CHECK_THROWS_WITH(make_tokenizer("bpe"), Catch::Contains("unknown tokenizer 'bpe'"));
  CHECK_THROWS_WITH(make_tokenizer("spm"), Catch::Contains("needs the path"));
}
