// `forecast train --resume` with flags: those under "Run length and reporting" take effect (a run
// goes on to more --max-steps, its cosine kept as it started), those that shape the run must match the checkpoint (an error naming the flag and the
// saved value, the run directory untouched), and files from before the settings list, --level,
// --valid-origins and --refit still resume and predict.
#include <catch2/catch.hpp>
#include <sstream>

#include "commands.h"
#include "tests/train/edit_metadata.h"
#include "tests/train/resume_flags.h"
#include "tests/train/threads_held.h"
#include "tiny_run.h"

using namespace forecast;
using ag::train::testing::contents;
using ag::train::testing::resume_of;
using ag::train::testing::saved_options;
using ag::train::testing::typed;
using nlohmann::json;

TEST_CASE("forecast resume: more --max-steps goes on to them, at --min-lr past the cosine it started with") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  TrainOptions first = testing::tiny_run(dir, "run");
  first.refit = true;
  train(first, log);
  TrainOptions longer = resume_of<TrainOptions>(dir.path("run"));
  longer.max_steps = 20;
  std::ostringstream longer_log;
  const TrainResult resumed = train(longer, longer_log, false, typed({"--max-steps"}));
  CHECK(resumed.steps == 20);
  // Validation kept better weights after step 12, so the refit of the first session is replaced.
  CHECK_THAT(longer_log.str(), Catch::Contains("(best so far, kept)") && Catch::Contains("refitting"));
  CHECK(saved_options(dir.path("run"))["max_steps"] == 20);
  CHECK(saved_options(dir.path("run"))["decay_steps"] == 12);
  // The same steps, bit for bit, as one run of 20 steps whose cosine ends at 12, and (its refit
  // built as training's, on decay_steps) the same refit test forecast.
  TrainOptions whole = testing::tiny_run(dir, "whole");
  whole.refit = true, whole.max_steps = 20, whole.decay_steps = 12;
  const TrainResult one_run = train(whole, log);
  CHECK(one_run.train_losses == resumed.train_losses);
  CHECK(one_run.test.model.median == resumed.test.model.median);
  TrainOptions stretched = testing::tiny_run(dir, "stretched");
  stretched.max_steps = 20;
  CHECK(train(stretched, log).train_losses != resumed.train_losses);
}

TEST_CASE("forecast resume: a flag that shapes the run and differs is refused by name, and nothing is written") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  train(testing::tiny_run(dir, "run"), log);
  const auto before = contents(dir.path("run"));
  TrainOptions o = resume_of<TrainOptions>(dir.path("run"));
  o.model.width = 16;
  CHECK_THROWS_WITH(train(o, log, false, typed({"--width"})),
                    Catch::Contains("--width was 8 in the saved run but 16 now") &&
                        Catch::Contains("Drop --width or start a new run"));
  o = resume_of<TrainOptions>(dir.path("run"));
  o.model.hw.on = true;
  CHECK_THROWS_WITH(train(o, log, false, typed({"--hw-residual"})),
                    Catch::Contains("--hw-residual was false in the saved run but true now"));
  o = resume_of<TrainOptions>(dir.path("run"));
  o.season = 4;  // settled from the series as 12
  CHECK_THROWS_WITH(train(o, log), Catch::Contains("--season was 12 in the saved run but 4 now"));
  o = resume_of<TrainOptions>(dir.path("run"));
  o.max_time = -1;  // may change, but within its range
  CHECK_THROWS_WITH(train(o, log), Catch::Contains("--max-time must be a number in [0, 1000000000], got -1.0"));
  CHECK(contents(dir.path("run")) == before);
}

TEST_CASE("forecast resume: files from before the settings list, --level, --valid-origins and --refit go on") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  train(testing::tiny_run(dir, "run"), log);
  const std::string checkpoint = dir.path("run/checkpoint.safetensors");
  ag::train::testing::edit_metadata(checkpoint, checkpoint, "options", [](json& options) {
    for (const char* key : {"threads", "max_time", "decay_steps", "valid_origins", "refit"}) options.erase(key);
    options["model"].erase("level");
  });
  const std::string weights = dir.path("run/model.safetensors");
  ag::train::testing::edit_metadata(weights, weights, "config", [](json& config) { config.erase("level"); });
  PredictOptions predict;
  predict.model = weights, predict.history = dir.write("recent.csv", testing::monthly_csv(40));
  std::ostringstream forecast;
  run_predict(predict, forecast);
  CHECK(forecast.str().starts_with("time,forecast,lower_80,upper_80\n"));
  TrainOptions o = resume_of<TrainOptions>(dir.path("run"));
  o.max_steps = 16, o.threads = 1;
  CHECK(train(o, log).steps == 16);
  const json saved = saved_options(dir.path("run"));
  CHECK(saved["decay_steps"] == 12);
  CHECK(saved["valid_origins"] == 1);
  CHECK(saved["model"]["level"] == 0);
  CHECK_FALSE(saved["model"].contains("hw_residual"));  // as a weights file keeps it: only when on
}

TEST_CASE("forecast resume: --threads is held to this machine's cores as the run starts, so a checkpoint from a larger machine goes on") {
  ag::data::testing::TempDir dir;
  ag::train::testing::check_threads_held_to_this_machine(testing::tiny_run(dir, "run"), &train);
}
