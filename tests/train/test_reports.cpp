// What a run tells a person: the progress line, the metrics log (and how a resumed run trims it),
// and the SVG loss curves (well-formed, every curve drawn, text escaped).
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "ag/core/error.h"
#include "ag/train/metrics_log.h"
#include "ag/train/plot.h"
#include "ag/train/progress.h"
#include "tests/data/temp_dir.h"

using namespace ag::train;
using ag::data::testing::TempDir;

namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Whether `svg` is well-formed XML as far as an SVG writer can go wrong: every element closed in
// order, attribute values quoted, no bare '<' or '&' in text.
bool well_formed(const std::string& svg) {
  std::vector<std::string> open;
  size_t i = 0;
  while (i < svg.size()) {
    if (svg[i] == '&') {
      const size_t end = svg.find(';', i);
      const std::string entity = end == std::string::npos ? "" : svg.substr(i, end - i + 1);
      if (entity != "&amp;" && entity != "&lt;" && entity != "&gt;" && entity != "&quot;") return false;
      i = end + 1;
      continue;
    }
    if (svg[i] != '<') {
      if (svg[i] == '>') return false;
      ++i;
      continue;
    }
    size_t end = i + 1;
    bool quoted = false;
    for (; end < svg.size() && (quoted || svg[end] != '>'); ++end) {
      if (svg[end] == '"') quoted = !quoted;
      if (quoted && (svg[end] == '<' || svg[end] == '>')) return false;
    }
    if (end == svg.size()) return false;
    const std::string tag = svg.substr(i + 1, end - i - 1);
    const std::string name = tag.substr(tag[0] == '/', tag.find_first_of(" /", 1) - (tag[0] == '/'));
    if (tag[0] == '/') {
      if (open.empty() || open.back() != name) return false;
      open.pop_back();
    } else if (tag.back() != '/') {
      open.push_back(name);
    }
    if (open.empty() && tag[0] == '/' && name == "svg") return svg.substr(end + 1) == "\n";
    i = end + 1;
  }
  return false;
}

}  // namespace

TEST_CASE("progress: the line shows step, loss, lr, rate and times; the epoch when given") {
  std::ostringstream out;
  Progress progress(out, /*is_terminal=*/false, "items/s", /*plain_interval_s=*/1e9);
  progress.update({.step = 7, .loss = 0.123456, .lr = 3e-4, .rate = 1234.4, .elapsed_s = 75, .eta_s = 3700});
  CHECK(out.str() == "step 7 | loss 0.1235 | lr 3.00e-04 | 1234 items/s | 1m15s | ETA 1h01m\n");
  progress.update({.step = 8});  // within the interval: not shown
  CHECK(count(out.str(), "\n") == 1);

  std::ostringstream terminal;
  Progress live(terminal, /*is_terminal=*/true);
  live.update({.epoch = 2, .step = 9, .loss = 1, .lr = 1e-3, .rate = 10, .elapsed_s = 5});
  live.break_line();
  CHECK(terminal.str() == "\r\033[Kepoch 2 | step 9 | loss 1.0000 | lr 1.00e-03 | 10 tok/s | 5s\n");
}

TEST_CASE("progress: durations and the recent mean") {
  CHECK(format_duration(42.4) == "42s");
  CHECK(format_duration(187) == "3m07s");
  CHECK(format_duration(3725) == "1h02m");
  CHECK(format_duration(-3) == "0s");
  CHECK(parse_duration("90") == 90);  // --max-time as people write it
  CHECK(parse_duration("5m") == 300);
  CHECK(parse_duration("1h30m") == 5400);
  CHECK(parse_duration("0.5h") == 1800);
  CHECK_THROWS_WITH(parse_duration("5 minutes"), Catch::Contains("--max-time: cannot read '5 minutes'"));
  CHECK_THROWS_WITH(parse_duration("3d"), Catch::Contains("unknown unit 'd'"));
  CHECK_THROWS_WITH(parse_duration(""), Catch::Contains("empty duration"));
  CHECK(mean_of_last({1, 2, 3, 4}, 2) == 3.5);
  CHECK(mean_of_last({1, 2}, 50) == 1.5);
  CHECK(mean_of_last({}, 5) == 0);
  Stopwatch clock(100);
  CHECK(clock.elapsed_s() >= 100);
  CHECK(clock.session_s() < clock.elapsed_s());
}

TEST_CASE("metrics log: appended lines, trimmed back to the checkpoint on resume") {
  TempDir dir;
  const std::string path = dir.path("metrics.jsonl");
  {
    MetricsLog log(path, std::nullopt);
    for (int64_t step : {10, 20, 30}) log.append({{"step", step}, {"val_loss", 1.0 / step}});
    CHECK(log.entries().size() == 3);
    REQUIRE_THROWS_WITH(log.append({{"val_loss", 1}}), Catch::Contains("needs an integer \"step\""));
  }
  // Lines that are not a step of ours (a step beyond int64 would come back negative, so kept, and
  // a float would be cast), then a line cut short by a kill: all dropped.
  std::ofstream(path, std::ios::app) << "{\"step\": 18446744073709551615}\n{\"step\": -3}\n{\"step\": 2.0e19}\n[1]\n"
                                     << "{\"step\": 40, \"val_lo";
  MetricsLog resumed(path, 20);
  REQUIRE(resumed.entries().size() == 2);
  CHECK(resumed.entries()[1]["step"] == 20);
  resumed.append({{"step", 25}});
  std::ifstream in(path);
  std::vector<int64_t> steps;
  for (std::string line; std::getline(in, line);) steps.push_back(nlohmann::json::parse(line)["step"]);
  CHECK(steps == std::vector<int64_t>{10, 20, 25});
}

TEST_CASE("plot: the SVG is well-formed, draws every curve and escapes text") {
  const std::string svg = plot_curves({{"train <smoothed>", {{1, 2.0}, {2, 1.5}, {3, 1.0}}, false},
                                       {"valid & test", {{2, 1.8}, {3, 1.2}}, true},
                                       {"empty", {}, false}},
                                      "Loss \"per\" token", "step");
  CHECK(well_formed(svg));
  CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
  CHECK(count(svg, "<polyline") == 2);
  CHECK(count(svg, "<circle") == 2);
  CHECK(svg.find("Loss &quot;per&quot; token") != std::string::npos);
  CHECK(svg.find("train &lt;smoothed&gt;") != std::string::npos);
  CHECK(svg.find("valid &amp; test") != std::string::npos);
  CHECK_FALSE(well_formed("<svg><text>a < b</text></svg>\n"));  // the checker itself can fail

  const std::string curve = loss_curve_svg({3, 2, 1}, {{3, 1.5}});
  CHECK(well_formed(curve));
  CHECK(curve.find("Loss per token") != std::string::npos);
  CHECK(curve.find("training (moving average)") != std::string::npos);
}
