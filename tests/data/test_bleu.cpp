// BLEU and chrF against sacreBLEU 2.6.0: the 27 cases of fixtures/bleu_cases.json, plus the 13a
// tokenizer's rules one by one.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ag/core/error.h"
#include "ag/data/bleu.h"
#include "ag/data/chrf.h"
#include "ag/data/tokenizer_13a.h"

using namespace ag::data;
using nlohmann::json;

namespace {

json load_cases() {
  std::ifstream in(AG_TEST_DATA_DIR "/data/fixtures/bleu_cases.json");
  REQUIRE(in.good());
  return json::parse(in);
}

void check_bleu(const BleuScore& got, const json& want) {
  CHECK(got.score == Approx(want["score"].get<double>()).margin(0.01));
  CHECK(got.bp == Approx(want["bp"].get<double>()).margin(1e-9));
  CHECK(got.sys_len == want["sys_len"].get<int64_t>());
  CHECK(got.ref_len == want["ref_len"].get<int64_t>());
  CHECK(got.counts == want["counts"].get<std::vector<int64_t>>());
  CHECK(got.totals == want["totals"].get<std::vector<int64_t>>());
  for (size_t n = 0; n < 4; ++n) CHECK(got.precisions[n] == Approx(want["precisions"][n].get<double>()).margin(0.01));
}

}  // namespace

TEST_CASE("BLEU and chrF match sacreBLEU 2.6.0 on every reference case", "[data][bleu]") {
  const json cases = load_cases()["cases"];
  REQUIRE(cases.size() == 27);
  for (const auto& c : cases) {
    INFO("case " << c["name"].get<std::string>());
    const auto hyps = c["hypotheses"].get<std::vector<std::string>>();
    const auto refs = c["references"].get<ReferenceStreams>();
    check_bleu(corpus_bleu(hyps, refs), c["bleu"]);
    check_bleu(corpus_bleu(hyps, refs, {.lowercase = true}), c["bleu_lowercase"]);
    CHECK(corpus_chrf(hyps, refs).score == Approx(c["chrf"]["score"].get<double>()).margin(0.01));
    std::vector<std::string> first_refs;
    for (const auto& stream : refs) first_refs.push_back(stream[0]);
    check_bleu(sentence_bleu(hyps[0], first_refs), c["sentence_bleu_first"]);
  }
}

TEST_CASE("signatures carry sacreBLEU's fields", "[data][bleu]") {
  const std::vector<std::string> hyps = {"a b c d"};
  CHECK(corpus_bleu(hyps, {{"a b c d"}}).signature.to_string() ==
        "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:ag-0.1");
  CHECK(corpus_bleu(hyps, {{"a"}, {"b"}}, {.lowercase = true}).signature.to_string() ==
        "nrefs:2|case:lc|eff:no|tok:13a|smooth:exp|version:ag-0.1");
  CHECK(sentence_bleu(hyps[0], {"a b c d"}).signature.to_string() ==
        "nrefs:1|case:mixed|eff:yes|tok:13a|smooth:exp|version:ag-0.1");
  CHECK(corpus_chrf(hyps, {{"a b c d"}}).signature.to_string() ==
        "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:ag-0.1");
  CHECK(corpus_bleu(hyps, {{"a b c d"}}, {.smooth = "floor"}).signature.to_string().find("smooth:floor[0.10]") !=
        std::string::npos);
}

TEST_CASE("scores print as sacreBLEU prints them", "[data][bleu]") {
  const auto bleu = corpus_bleu({"The cat sat on the mat."}, {{"The cat is on the mat."}});
  CHECK(bleu.format(2, false) == "BLEU = 48.89 85.7/66.7/40.0/25.0 (BP = 1.000 ratio = 1.000 hyp_len = 7 ref_len = 7)");
  CHECK(bleu.format(1).starts_with("BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:ag-0.1 = 48.9 "));
  CHECK(corpus_chrf({"abc"}, {{"abc"}}).format(2, false) == "chrF2 = 100.00");
}

TEST_CASE("13a tokenization follows mteval-v13a", "[data][bleu]") {
  CHECK(tokenize_13a("Hello, world!") == "Hello , world !");
  CHECK(tokenize_13a("It costs 1,000.50$.") == "It costs 1,000.50 $ .");
  CHECK(tokenize_13a("pages 10-20, don't stop state-of-the-art") == "pages 10 - 20 , don't stop state-of-the-art");
  CHECK(tokenize_13a("  a \t b  ") == "a b");
  CHECK(tokenize_13a("&quot;x&quot; &amp; &lt;y&gt; &apos;") == "\" x \" & < y > & apos ;");
  CHECK(tokenize_13a("Wait... what?!") == "Wait . . . what ? !");
  CHECK(tokenize_13a("Straße, schön.") == "Straße , schön .");
  CHECK(tokenize_13a("x<skipped>y") == "xy");
  CHECK(tokenize_13a("") == "");
}

TEST_CASE("BLEU rejects misaligned references and unknown options", "[data][bleu]") {
  CHECK_THROWS_WITH(corpus_bleu({"a", "b"}, {{"a"}}),
                    Catch::Contains("2 hypotheses but reference stream 1 has 1 lines"));
  CHECK_THROWS_AS(corpus_bleu({"a"}, {}), ag::Error);
  CHECK_THROWS_WITH(corpus_bleu({"a"}, {{"a"}}, {.tokenize = "intl"}), Catch::Contains("unknown tokenizer 'intl'"));
  CHECK_THROWS_WITH(corpus_chrf({"a"}, {{"a"}, {"b", "c"}}), Catch::Contains("reference stream 2 has 2 lines"));
}
