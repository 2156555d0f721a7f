// `classify train --resume` with flags: those under "Run length and reporting" take effect (a run
// goes on to more --epochs, its cosine kept as it started), those that shape the run must match the
// checkpoint (an error naming the flag and the saved value, the run directory untouched), and a
// checkpoint from before the settings list still resumes.
#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>

#include "ag/core/serialize.h"
#include "tests/train/edit_metadata.h"
#include "tests/train/resume_flags.h"
#include "tests/train/threads_held.h"
#include "tiny_run.h"

using namespace classify;
using ag::train::testing::contents;
using ag::train::testing::resume_of;
using ag::train::testing::saved_options;
using ag::train::testing::typed;
using nlohmann::json;

namespace {


// The tiny run, one epoch.
TrainOptions one_epoch(ag::data::testing::TempDir& dir, const std::string& out) {
  TrainOptions o = testing::tiny_run(dir, out);
  o.epochs = 1;
  return o;
}

}  // namespace

TEST_CASE("classify resume: more --epochs goes on to them, at --min-lr past the cosine it started with") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  const TrainResult first = train(one_epoch(dir, "run"), log);
  TrainOptions longer = resume_of<TrainOptions>(dir.path("run"));
  longer.epochs = 2;
  const TrainResult resumed = train(longer, log, false, typed({"--epochs"}));
  CHECK(resumed.steps == 2 * first.steps);
  CHECK(saved_options(dir.path("run"))["epochs"] == 2);
  CHECK(saved_options(dir.path("run"))["decay_epochs"] == 1);
  // The same steps, bit for bit, as one run of 2 epochs whose cosine ends after the first.
  TrainOptions whole = one_epoch(dir, "whole");
  whole.epochs = 2, whole.decay_epochs = 1;
  CHECK(train(whole, log).train_losses == resumed.train_losses);
  TrainOptions stretched = one_epoch(dir, "stretched");
  stretched.epochs = 2;
  CHECK(train(stretched, log).train_losses != resumed.train_losses);
}

TEST_CASE("classify resume: a flag that shapes the run and differs is refused by name, and nothing is written") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  train(one_epoch(dir, "run"), log);
  const auto before = contents(dir.path("run"));
  TrainOptions o = resume_of<TrainOptions>(dir.path("run"));
  o.model.layers = 2;
  CHECK_THROWS_WITH(train(o, log, false, typed({"--layers"})),
                    Catch::Contains("--layers was 1 in the saved run but 2 now") &&
                        Catch::Contains("Drop --layers or start a new run"));
  o = resume_of<TrainOptions>(dir.path("run"));
  o.model.width = 64;
  CHECK_THROWS_WITH(train(o, log), Catch::Contains("--width was 32 in the saved run but 64 now"));
  o = resume_of<TrainOptions>(dir.path("run"));
  o.class_weights = "none";  // the default, given: the saved run's is balanced
  CHECK_THROWS_WITH(train(o, log, false, typed({"--class-weights"})),
                    Catch::Contains("--class-weights was \"balanced\" in the saved run but \"none\" now"));
  CHECK(contents(dir.path("run")) == before);
}

TEST_CASE("classify resume: a checkpoint from before the settings list (no threads, max_time, decay_epochs) goes on") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  const TrainResult first = train(one_epoch(dir, "run"), log);
  const std::string checkpoint = dir.path("run/checkpoint.safetensors");
  ag::train::testing::edit_metadata(checkpoint, checkpoint, "options", [](json& options) {
    for (const char* key : {"threads", "max_time", "decay_epochs"}) options.erase(key);
  });
  TrainOptions o = resume_of<TrainOptions>(dir.path("run"));
  o.epochs = 2, o.threads = 1;
  CHECK(train(o, log).steps == 2 * first.steps);
  CHECK(saved_options(dir.path("run"))["decay_epochs"] == 1);
}

TEST_CASE("classify resume: --threads is held to this machine's cores as the run starts, so a checkpoint from a larger machine goes on") {
  ag::data::testing::TempDir dir;
  ag::train::testing::check_threads_held_to_this_machine(one_epoch(dir, "run"), &train);
}
