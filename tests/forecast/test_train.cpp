// `forecast train` and `forecast predict` end to end on small CSV files: the series and its time
// read from each layout, a run's files, Ctrl-C and --resume, predict's CSV, and every refusal.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>

#include "ag/core/error.h"
#include "ag/data/csv.h"
#include "ag/train/interrupt.h"
#include "commands.h"
#include "evaluate.h"
#include "holt_winters.h"
#include "series.h"
#include "tests/data/temp_dir.h"
#include "tests/train/resume_flags.h"
#include "tiny_run.h"
#include "train.h"
#include "weights.h"

using namespace forecast;
using forecast::testing::monthly_csv;
using forecast::testing::tiny_run;

namespace {

Series parse(const std::string& text, const std::string& column = "") {
  return series_from_csv(ag::data::parse_csv(text, "s.csv"), column);
}

}  // namespace

TEST_CASE("series: the time and value columns of each layout") {
  const Series births = parse("year,month,date_of_month,day_of_week,births\n1969,1,1,3,8486\n1969,1,2,4,9002\n");
  CHECK(births.column == "births");  // day_of_week is time, not a value
  CHECK(births.values == std::vector<double>{8486, 9002});
  CHECK(births.labels == std::vector<std::string>{"1969-01-01", "1969-01-02"});
  CHECK(births.guess_season() == 7);
  CHECK(births.label_after(31) == "1969-02-02");
  REQUIRE(births.calendar_features() == 4);
  CHECK(births.calendar[0][0] == Approx(std::sin(2 * 3.14159265358979 * 2 / 7)));  // a Wednesday: Monday + 2

  const Series co2 = parse("time,co2\n1959.0000,315.42\n1959.0833,316.31\n");
  CHECK(co2.time_kind == TimeKind::kDecimalYear);
  CHECK(co2.guess_season() == 12);
  CHECK(co2.label_after(2) == "1959.2500");
  CHECK(co2.calendar_features() == 2);

  const Series stocks = parse("date,DAX,SMI\n2020-01-02,1,10\n2020-01-03,2,20\n", "DAX");
  CHECK(stocks.values == std::vector<double>{1, 2});
  CHECK(stocks.label_after(1) == "2020-01-04");
  const Series labelled = parse("quarter,v\nQ1,1\nQ2,2\n");
  CHECK(labelled.time_kind == TimeKind::kLabel);
  CHECK(labelled.label_after(3) == "+3");
  CHECK(labelled.guess_season() == 0);
}

TEST_CASE("series: malformed CSV fails naming the row") {
  CHECK_THROWS_WITH(parse("time,v\n1,1\n2,\n"), Catch::Contains("s.csv: line 3, column 'v': the cell is empty"));
  CHECK_THROWS_WITH(parse("time,v\n1,1\n2,x7\n"), Catch::Contains("line 3, column 'v': 'x7' is not a finite number"));
  CHECK_THROWS_WITH(parse("time,v\n1,nan\n"), Catch::Contains("line 2, column 'v': a missing value"));
  CHECK_THROWS_WITH(parse("time,v\n1,1\n2\n"), Catch::Contains("line 3 has 1 fields but the header has 2"));
  CHECK_THROWS_WITH(parse("time,v\n1,1\nabc,2\n"), Catch::Contains("line 3, column 'time'"));
  CHECK_THROWS_WITH(parse("time,v\n2,1\n1,2\n"), Catch::Contains("line 3: the time '1' does not come after '2'"));
  CHECK_THROWS_WITH(parse("year,month,day,v\n1969,13,1,5\n"), Catch::Contains("line 2, column 'month': 13 is not a whole"));
  CHECK_THROWS_WITH(parse("time,v\n"), Catch::Contains("a header but no rows"));
  CHECK_THROWS_WITH(parse(""), Catch::Contains("the file is empty"));
  CHECK_THROWS_WITH(parse("time\n1\n"), Catch::Contains("no value column"));
  CHECK_THROWS_WITH(parse("time,v\n1,1\n", "time"), Catch::Contains("column 'time' is the time"));
}

TEST_CASE("train: a run writes its report, plots and model, predict continues it, and bad input is refused") {
  ag::data::testing::TempDir dir;
  TrainOptions o = tiny_run(dir, "run");
  std::ostringstream log;
  const TrainResult result = train(o, log);
  CHECK(result.steps == 12);
  CHECK_FALSE(result.interrupted);
  CHECK(result.test.actual.size() == 6);
  CHECK(std::isfinite(result.test.model_scores.mase));
  CHECK(result.test.holt_winters.size() == 6);
  CHECK_THAT(result.report, Catch::Contains("transformer") && Catch::Contains("seasonal naive") &&
                                Catch::Contains("Holt-Winters") && Catch::Contains("80% interval: coverage"));
  for (const char* file : {"model.safetensors", "loss.svg", "forecast.svg", "report.json", "forecast.csv"})
    CHECK(std::ifstream(dir.path(std::string("run/") + file)).good());
  std::ifstream metrics(dir.path("run/metrics.jsonl"));
  std::vector<int64_t> steps;
  for (std::string line; std::getline(metrics, line);) steps.push_back(nlohmann::json::parse(line).at("step"));
  CHECK(steps == std::vector<int64_t>{4, 8, 12});

  // predict: the next 6 months after the last of 30 rows, as CSV.
  const std::string csv = monthly_csv();
  std::string recent = "time,sales\n";
  std::istringstream lines(csv);
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(line);
  for (size_t i = rows.size() - 30; i < rows.size(); ++i) recent += rows[i] + "\n";
  PredictOptions p;
  p.model = dir.path("run"), p.history = dir.write("recent.csv", recent);
  std::ostringstream out;
  run_predict(p, out);
  const ag::data::CsvTable table = ag::data::parse_csv(out.str(), "out");
  CHECK(table.header == std::vector<std::string>{"time", "forecast", "lower_80", "upper_80"});
  REQUIRE(table.rows.size() == 6);
  CHECK(table.rows[0][0] == "2010.0000");
  for (size_t r = 0; r < 6; ++r) CHECK(table.number(r, 2) <= table.number(r, 1));

  p.history = dir.write("bad.csv", "time,sales\n2000.0,1\n2000.1,oops\n");
  CHECK_THROWS_WITH(run_predict(p, out), Catch::Contains("bad.csv: line 3, column 'sales': 'oops' is not a finite"));
  p.history = dir.write("gap.csv", "time,sales\n2000.0,1\n2000.1,\n");
  CHECK_THROWS_WITH(run_predict(p, out), Catch::Contains("gap.csv: line 3, column 'sales': the cell is empty"));
  p.history = dir.write("ragged.csv", "time,sales\n2000.0,1,2\n");
  CHECK_THROWS_WITH(run_predict(p, out), Catch::Contains("ragged.csv: line 2 has 3 fields"));
  p.history = dir.write("empty.csv", "");
  CHECK_THROWS_WITH(run_predict(p, out), Catch::Contains("empty.csv: the file is empty"));
  p.history = dir.write("short.csv", "time,sales\n2000.0,1\n");
  CHECK_THROWS_WITH(run_predict(p, out), Catch::Contains("1 rows are too few; the model forecasts from the last 24"));
  p.history = dir.write("other.csv", "time,units\n2000.0,1\n");
  CHECK_THROWS_WITH(run_predict(p, out), Catch::Contains("no column 'sales'"));

  // Refusals: an existing run, data too short for the cut, flags out of range; none deletes the run.
  CHECK_THROWS_WITH(train(o, log), Catch::Contains("--force"));
  o.force = true;
  o.data = dir.write("short.csv", monthly_csv(40));
  CHECK_THROWS_WITH(train(o, log), Catch::Contains("40 values are too few"));
  o.data = dir.write("gap.csv", "time,sales\n2000.0,1\n2000.1,\n");
  CHECK_THROWS_WITH(train(o, log), Catch::Contains("gap.csv: line 3"));
  CHECK(std::ifstream(dir.path("run/model.safetensors")).good());
  auto refused = [&](const std::function<void(TrainOptions&)>& change, const std::string& message) {
    TrainOptions bad = tiny_run(dir, "run2");
    change(bad);
    CHECK_THROWS_WITH(train(bad, log), Catch::Contains(message));
  };
  refused([](TrainOptions& b) { b.model.context = 25; }, "--context (25) must be a positive multiple of --patch (4)");
  refused([](TrainOptions& b) { b.model.dropout = 1; }, "--dropout must be a number in [0, 1), got 1.0");
  refused([](TrainOptions& b) { b.model.level = 25; }, "--level (25) must not exceed --context (24)");
  refused([](TrainOptions& b) { b.valid_origins = 0; }, "--valid-origins must be an integer from 1 to 64, got 0");
  refused([](TrainOptions& b) { b.valid_origins = 16; }, "take (1 + --valid-origins) x --horizon (102)");
  refused([&](TrainOptions& b) { b.data = dir.write("labels.csv", "q,v\nQ1,1\nQ2,2\n"); }, "give --season");
  refused([&](TrainOptions& b) { b.data = dir.write("labels.csv", "q,v\nQ1,1\n"), b.season = 4, b.calendar = true; },
          "--calendar needs dates or decimal years");
}

TEST_CASE("train: a run stopped by Ctrl-C and resumed takes the same steps as one never stopped") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  const TrainResult whole = train(tiny_run(dir, "whole"), log);
  ag::train::InterruptGuard::request();  // asked before the run, the stop comes after its first step
  const TrainResult first = train(tiny_run(dir, "stopped"), log);
  CHECK(first.interrupted);
  CHECK(first.steps == 1);
  TrainOptions o;
  o.resume = dir.path("stopped"), o.threads = 1;
  const TrainResult resumed = train(o, log);
  CHECK(resumed.steps == 12);
  CHECK(resumed.train_losses == whole.train_losses);  // bit for bit
  CHECK(resumed.test.model.median == whole.test.model.median);
}

TEST_CASE("train: --valid-origins validates from several origins, --refit retrains before the test") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  TrainOptions o = tiny_run(dir, "origins");
  o.valid_origins = 2, o.model.level = 6;
  const TrainResult result = train(o, log);
  // 120 values, H = 6: the test is [114, 120), the validation origins 108 and 102, training before 102.
  CHECK_THAT(log.str(), Catch::Contains("training windows end by 102") && Catch::Contains("validation 2 x 6 values"));
  const LoadedModel kept = load_model(dir.path("origins"));
  const Series series = series_from_csv(ag::data::read_csv(o.data), "");
  std::vector<Evaluation> origins;
  for (int64_t end : {108, 102}) origins.push_back(evaluate(*kept.model, series, end, 12, false));
  CHECK(result.best_valid_mase == Approx(mean_scores(origins).model.mase));
  CHECK(kept.interval_margin() == Approx(interval_margin(origins, 0.8)));
  const QuantileForecast raw = forecast_after(*kept.model, series, 114);
  for (size_t h = 0; h < 6; ++h)
    CHECK(result.test.model.upper[h] == Approx(std::max(raw.upper[h] + kept.interval_margin() * raw.scale,
                                                        raw.median[h])));

  // The refit keeps the validation's choice and margin, and trains new weights on values up to 114.
  o = tiny_run(dir, "refit");
  o.valid_origins = 2, o.model.level = 6, o.refit = true;
  const TrainResult refit = train(o, log);
  CHECK(refit.best_valid_mase == result.best_valid_mase);
  CHECK_THAT(log.str(), Catch::Contains("refitting on the 114 values before the test (85 windows)"));
  const LoadedModel refitted = load_model(dir.path("refit"));
  CHECK(refitted.info.at("refit") == true);
  CHECK(refitted.info.at("step") == kept.info.at("step"));
  CHECK(refitted.interval_margin() == kept.interval_margin());
  CHECK(refit.test.model.median != result.test.model.median);
  CHECK(refit.test.model.median == forecast_after(*refitted.model, series, 114, kept.interval_margin()).median);

  // Stopped after a step and resumed, it is the same run; resumed once finished, it says so, trains
  // and refits nothing, and writes the same files again.
  ag::train::InterruptGuard::request();
  o.out = dir.path("refit_stopped");
  CHECK(train(o, log).interrupted);
  TrainOptions again;
  again.resume = dir.path("refit_stopped"), again.threads = 1;
  const TrainResult resumed = train(again, log);
  CHECK(resumed.train_losses == refit.train_losses);
  CHECK(resumed.test.model.median == refit.test.model.median);
  const auto before = ag::train::testing::contents(dir.path("refit"));
  again.resume = dir.path("refit");
  std::ostringstream ended_log;
  const TrainResult ended = train(again, ended_log);
  CHECK(ended.train_losses == refit.train_losses);
  CHECK(ended.test.model.median == refit.test.model.median);
  CHECK_THAT(ended_log.str(), Catch::Contains("forecast: the run has reached its last step (12); nothing to train"));
  CHECK_THAT(ended_log.str(), !Catch::Contains("refitting"));
  CHECK(ag::train::testing::contents(dir.path("refit")) == before);
}

TEST_CASE("train: --hw-residual learns what Holt-Winters misses; predict and --resume keep it") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  TrainOptions o = tiny_run(dir, "hw");
  o.model.hw.on = true;
  const TrainResult whole = train(o, log);
  CHECK_THAT(log.str(), Catch::Contains("the model learns the residual of Holt-Winters over all the values"));
  // The smoothing is fitted once on the training values, [0, 108), and saved with the weights.
  const Series series = series_from_csv(ag::data::read_csv(o.data), "");
  const HoltWinters fitted = HoltWinters::fit(std::span(series.values).first(108), 12);
  const LoadedModel kept = load_model(dir.path("hw"));
  const HoltWintersBase& hw = kept.model->config.hw;
  CHECK(hw.on);
  CHECK(hw.season == 12);
  CHECK(hw.history == 0);
  CHECK(hw.alpha == fitted.alpha);
  CHECK(hw.gamma == fitted.gamma);
  CHECK(whole.test.model.median == forecast_after(*kept.model, series, 114, kept.interval_margin()).median);

  // predict from the whole file: Holt-Winters over all of its rows, then the model's residual.
  PredictOptions p;
  p.model = dir.path("hw"), p.history = o.data;
  std::ostringstream out;
  run_predict(p, out);
  const QuantileForecast next = forecast_after(*kept.model, series, 120, kept.interval_margin());
  std::istringstream rows(out.str());
  std::string row;
  std::getline(rows, row);
  for (size_t h = 0; h < 6; ++h) {
    std::getline(rows, row);
    CHECK(std::stod(row.substr(row.find(',') + 1)) == Approx(next.median[h]).epsilon(1e-12));
  }

  // Stopped after a step and resumed, it is the same run: the checkpoint keeps the option.
  ag::train::InterruptGuard::request();
  o.out = dir.path("hw_stopped");
  CHECK(train(o, log).interrupted);
  TrainOptions again;
  again.resume = dir.path("hw_stopped"), again.threads = 1;
  const TrainResult resumed = train(again, log);
  CHECK(resumed.train_losses == whole.train_losses);
  CHECK(resumed.test.model.median == whole.test.model.median);

  // A context shorter than two seasons cannot start Holt-Winters.
  o = tiny_run(dir, "short");
  o.model.hw.on = true, o.model.context = 16;
  CHECK_THROWS_WITH(train(o, log), Catch::Contains("--hw-residual needs a --season (12) of at least 2, and "
                                                   "--context (16)"));
  o = tiny_run(dir, "history_alone");
  o.model.hw.history = 48;
  CHECK_THROWS_WITH(train(o, log), Catch::Contains("--hw-history (48) is for --hw-residual; give both"));
}

TEST_CASE("flags: ranges are checked and a bad value exits with a message") {
  CLI::App app;
  TrainOptions o;
  add_train_options(app, o);
  CHECK_THROWS_AS(app.parse("--horizon many", false), CLI::ParseError);
  o = TrainOptions();
  app.parse("--calendar --horizon 12 --season=-3", false);
  CHECK(o.calendar);
  CHECK(o.model.horizon == 12);
  o.data = "";
  CHECK_THROWS_WITH(train(o, std::cerr), Catch::Contains("--season must be an integer from 0 to 1048576, got -3"));
}
