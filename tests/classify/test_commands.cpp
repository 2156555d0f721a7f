// `classify predict` and `classify eval` as a user runs them: texts from arguments, files and
// standard input, plain and JSON output, reports on a labelled file, and the errors they give.
#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

#include "ag/core/error.h"
#include "ag/data/labelled_text.h"
#include "commands.h"
#include "dataset.h"
#include "tests/data/temp_dir.h"
#include "tiny_run.h"

using namespace classify;
using ag::data::testing::TempDir;

namespace {

// Trains the tiny model (tiny_run.h) into dir/run.
std::string trained_model(TempDir& dir) {
  std::ostringstream log;
  train(testing::tiny_run(dir, "run"), log);
  return dir.path("run");
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("classify predict and eval: labels and probabilities, plain and JSON, and a report") {
  TempDir dir;
  const std::string model = trained_model(dir);

  PredictOptions p;
  p.model = model;
  p.texts = {"the storm and the rain came again", "we saw the team score a goal", "my friend said the soup was very good"};
  std::istringstream no_input;
  std::ostringstream out;
  run_predict(p, no_input, true, out);
  const std::vector<std::string> plain = lines_of(out.str());
  REQUIRE(plain.size() == 3);
  CHECK(plain[0].starts_with("weather\t"));
  CHECK(plain[1].starts_with("sport\t"));
  CHECK(plain[2].starts_with("food\t"));
  CHECK_THAT(plain[0], Catch::EndsWith("\tthe storm and the rain came again"));

  // Standard input, one text a line, as JSON lines whose probabilities add up to 1.
  p.texts.clear(), p.json = true;
  std::istringstream in("fog and wind today\r\nbread and cheese\n");
  out.str("");
  run_predict(p, in, false, out);
  const std::vector<std::string> json_lines = lines_of(out.str());
  REQUIRE(json_lines.size() == 2);
  const auto first = nlohmann::json::parse(json_lines[0]);
  CHECK(first.at("label") == "weather");
  CHECK(first.at("input") == "fog and wind today");
  double total = 0;
  for (const auto& [name, probability] : first.at("probabilities").items()) total += probability.get<double>();
  CHECK(total == Approx(1.0).epsilon(1e-5));
  CHECK(first.at("probability").get<double>() == Approx(first.at("probabilities").at("weather").get<double>()));

  // Files: each one text, named in the output; bytes that are not UTF-8 are no obstacle.
  p.files = {dir.write("a.txt", "a referee and a stadium \xff"), dir.write("b.txt", "")};
  out.str("");
  run_predict(p, no_input, true, out);
  const std::vector<std::string> from_files = lines_of(out.str());
  REQUIRE(from_files.size() == 2);
  CHECK(nlohmann::json::parse(from_files[0]).at("label") == "sport");
  CHECK(nlohmann::json::parse(from_files[1]).at("input") == p.files[1]);
  p.files.push_back(dir.path("missing.txt"));
  CHECK_THROWS_WITH(run_predict(p, no_input, true, out), Catch::Contains("cannot read") && Catch::Contains("missing.txt"));
  p.files.clear();
  CHECK_THROWS_WITH(run_predict(p, no_input, true, out), Catch::Contains("nothing to classify"));
  p.model = dir.path("nowhere");
  CHECK_THROWS_WITH(run_predict(p, in, false, out), Catch::Contains("not a run directory"));

  // eval on a label<TAB>text file of fresh texts from the task: the report, the JSON, the heat map.
  const LabelledTexts fresh = generated_task(200, 99);
  std::string tsv;
  for (size_t i = 0; i < fresh.texts.size(); ++i)
    tsv += fresh.classes[static_cast<size_t>(fresh.targets[i])] + "\t" + ag::data::escape_tsv_text(fresh.texts[i]) + "\n";
  EvalOptions e;
  e.model = model, e.data = dir.write("test.tsv", tsv), e.svg = dir.path("confusion.svg");
  std::ostringstream report, log;
  run_eval(e, report, log);
  CHECK_THAT(report.str(), Catch::Contains("precision") && Catch::Contains("macro avg") &&
                               Catch::Contains("confusion matrix") && Catch::Contains("sport"));
  CHECK_THAT(log.str(), Catch::Contains("200 texts"));
  CHECK(std::filesystem::exists(e.svg));
  e.json = true;
  std::ostringstream json_report;
  run_eval(e, json_report, log);
  const auto figures = nlohmann::json::parse(json_report.str());
  CHECK(figures.at("accuracy").get<double>() > 0.8);  // the majority class alone gets 0.55
  CHECK(figures.at("micro").at("support") == 200);
  CHECK(figures.at("confusion").size() == 3);
  e.data = dir.write("unknown.tsv", "politics\tvote\n");
  CHECK_THROWS_WITH(run_eval(e, report, log), Catch::Contains("'politics', which the model does not know"));
  e.data = dir.write("broken.tsv", "sport\tok\nno tab\n");
  CHECK_THROWS_WITH(run_eval(e, report, log), Catch::Contains("broken.tsv:2: no tab"));
  e.batch_size = 0;
  CHECK_THROWS_WITH(run_eval(e, report, log), Catch::Contains("--batch-size (0)"));
}
