// The sacreBLEU-like scorer: score_files (the library half of ag-score) and the ag-score program.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ag/core/error.h"
#include "ag/data/score_files.h"
#include "ag/data/text_file.h"
#include "temp_dir.h"

using namespace ag::data;
using ag::data::testing::TempDir;

namespace {

struct Files {
  TempDir dir;
  std::string hyp = dir.write("hyp.txt", "The cat sat on the mat.\r\nHello, world!\r\n");
  std::string ref = dir.write("ref.txt", "The cat is on the mat.\nHello , world !\n");
  std::string ref2 = dir.write("ref2.txt", "The cat sat on a mat.\nHi, world!\n");
  std::string short_ref = dir.write("short.txt", "only one line\n");
};

const std::string kBleuLine =
    "BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:ag-0.1 = 63.4 "
    "90.9/77.8/57.1/40.0 (BP = 1.000 ratio = 1.000 hyp_len = 11 ref_len = 11)\n";
const std::string kChrfLine = "chrF2|nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:ag-0.1 = 79.7\n";

}  // namespace

TEST_CASE("score_files prints BLEU and chrF with signatures", "[data][score]") {
  Files f;
  std::istringstream no_input;
  CHECK(score_files({.hypothesis = f.hyp, .references = {f.ref}}, no_input) == kBleuLine + kChrfLine);
  std::istringstream stdin_hyp("The cat sat on the mat.\nHello, world!\n");
  CHECK(score_files({.references = {f.ref}, .metrics = {"chrf"}}, stdin_hyp) == kChrfLine);
}

TEST_CASE("score_files writes JSON with the signature fields", "[data][score]") {
  Files f;
  std::istringstream no_input;
  const auto j = nlohmann::json::parse(
      score_files({.hypothesis = f.hyp, .references = {f.ref, f.ref2}, .width = 2, .json = true}, no_input));
  REQUIRE(j.size() == 2);
  CHECK(j[0]["name"] == "BLEU");
  CHECK(j[0]["nrefs"] == "2");
  CHECK(j[0]["signature"] == "nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:ag-0.1");
  CHECK(j[0].contains("verbose_score"));
  CHECK(j[1]["name"] == "chrF2");
  CHECK(j[1]["nc"] == "6");
}

TEST_CASE("score_files explains bad input", "[data][score]") {
  Files f;
  std::istringstream no_input;
  CHECK_THROWS_WITH(score_files({.hypothesis = f.hyp, .references = {f.short_ref}}, no_input),
                    Catch::Contains(f.hyp + " has 2 lines but " + f.short_ref + " has 1 lines"));
  CHECK_THROWS_WITH(score_files({.hypothesis = f.dir.path("none.txt"), .references = {f.ref}}, no_input),
                    Catch::Contains("cannot open") && Catch::Contains("none.txt"));
  CHECK_THROWS_WITH(score_files({.hypothesis = f.hyp, .references = {}}, no_input),
                    Catch::Contains("at least one reference"));
  CHECK_THROWS_WITH(score_files({.hypothesis = f.hyp, .references = {f.ref}, .metrics = {"ter"}}, no_input),
                    Catch::Contains("unknown metric 'ter'"));
}

TEST_CASE("the ag-score program scores files and fails on bad input", "[data][score]") {
  // ctest runs the suite in <build>/tests; the program is built in <build>/examples/score.
  const std::filesystem::path program = std::filesystem::absolute("../examples/score/ag-score");
  if (!std::filesystem::exists(program)) {
    WARN("skipped: " << program << " is not built");
    return;
  }
  Files f;
  const auto run = [&](const std::string& args) {
    const std::string command =
        program.string() + " " + args + " > " + f.dir.path("out.txt") + " 2> " + f.dir.path("err.txt");
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  CHECK(run(f.ref + " -i " + f.hyp) == 0);
  CHECK(read_lines(f.dir.path("out.txt")) ==
        std::vector<std::string>{kBleuLine.substr(0, kBleuLine.size() - 1), kChrfLine.substr(0, kChrfLine.size() - 1)});
  CHECK(run(f.ref + " < " + f.hyp + " --json") == 0);
  CHECK(nlohmann::json::parse(std::ifstream(f.dir.path("out.txt"))).size() == 2);
  CHECK(run(f.short_ref + " -i " + f.hyp) != 0);
  CHECK(read_lines(f.dir.path("err.txt")).at(0).find("has 2 lines but") != std::string::npos);
  CHECK(run(f.dir.path("missing.txt") + " -i " + f.hyp) != 0);
  // A flag error exits 1 as any other error does (CLI11's own codes are 105-109), and says why.
  for (const std::string& args : std::vector<std::string>{"", "--no-such-flag " + f.ref, f.ref + " --width 11",
                                                          f.ref + " -m ter", f.dir.path("missing.txt"),
                                                          f.ref + " --tokenize intl"}) {
    INFO(args);
    CHECK(run(args + " -i " + f.hyp) == 1);
    CHECK_FALSE(read_lines(f.dir.path("err.txt")).empty());
  }
  CHECK(run("--help") == 0);
}
