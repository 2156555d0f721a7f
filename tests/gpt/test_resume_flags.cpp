// `gpt train --resume` with flags: those under "Run length and reporting" take effect (a run goes on
// to a larger --max-steps, its cosine kept as it started), those that shape the run must match the
// checkpoint (an error naming the flag and the saved value, the run directory untouched), and a
// checkpoint from before the settings list still resumes.
#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>

#include "ag/core/serialize.h"
#include "tests/train/resume_flags.h"
#include "tests/train/threads_held.h"
#include "tiny_run.h"
#include "weights.h"

using namespace gpt;
using ag::train::testing::contents;
using ag::train::testing::resume_of;
using ag::train::testing::saved_options;
using ag::train::testing::typed;

TEST_CASE("resume: a larger --max-steps goes on to it, at --min-lr past the cosine it started with") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  CHECK(train(testing::tiny_run(dir, "run"), log).steps == 12);
  TrainOptions longer = resume_of<TrainOptions>(dir.path("run"));
  longer.max_steps = 24, longer.eval_every = 6;
  const TrainResult resumed = train(longer, log, false, typed({"--max-steps", "--eval-every"}));
  CHECK(resumed.steps == 24);
  const nlohmann::json saved = saved_options(dir.path("run"));
  CHECK(saved["max_steps"] == 24);
  CHECK(saved["eval_every"] == 6);
  CHECK(saved["decay_steps"] == 12);

  // The same steps, bit for bit, as one run of 24 whose cosine ends at 12; a cosine stretched to 24
  // would take other steps.
  TrainOptions whole = testing::tiny_run(dir, "whole");
  whole.max_steps = 24, whole.decay_steps = 12, whole.eval_every = 6;
  CHECK(train(whole, log).train_losses == resumed.train_losses);
  TrainOptions stretched = testing::tiny_run(dir, "stretched");
  stretched.max_steps = 24;
  CHECK(train(stretched, log).train_losses != resumed.train_losses);
}

TEST_CASE("resume: a run that has ended says so and trains, validates and saves nothing more") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  const TrainResult whole = train(testing::tiny_run(dir, "run"), log);
  const auto before = contents(dir.path("run"));
  std::ostringstream again_log;
  const TrainResult again = train(resume_of<TrainOptions>(dir.path("run")), again_log, false, typed({}));
  CHECK(again.train_losses == whole.train_losses);
  CHECK(again.sample == whole.sample);
  CHECK(again.valid_loss == whole.valid_loss);  // the last validation's, from the metrics log
  CHECK_THAT(again_log.str(), Catch::Contains("gpt: the run has reached its last step (12); nothing to train. Give a "
                                              "larger --max-steps to train on"));
  CHECK(contents(dir.path("run")) == before);  // not even a second line in metrics.jsonl for step 12
}

TEST_CASE("resume: a flag that shapes the run and differs is refused by name, and nothing is written") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  train(testing::tiny_run(dir, "run"), log);
  const auto before = contents(dir.path("run"));
  TrainOptions o = resume_of<TrainOptions>(dir.path("run"));
  o.model.n_layer = 2;
  CHECK_THROWS_WITH(train(o, log, false, typed({"--layers"})),
                    Catch::Contains("--layers was 1 in the saved run but 2 now") &&
                        Catch::Contains("Drop --layers or start a new run"));
  o = resume_of<TrainOptions>(dir.path("run"));
  o.model.n_embd = 32;
  CHECK_THROWS_WITH(train(o, log), Catch::Contains("--width was 16 in the saved run but 32 now"));
  o = resume_of<TrainOptions>(dir.path("run"));
  o.lr = 0.01;
  CHECK_THROWS_WITH(train(o, log), Catch::Contains("--lr was 0.001 in the saved run"));
  CHECK(contents(dir.path("run")) == before);
  // Given again with the saved value, such a flag is no change.
  o = resume_of<TrainOptions>(dir.path("run"));
  o.model.n_layer = 1, o.max_steps = 13;
  CHECK(train(o, log, false, typed({"--layers", "--max-steps"})).steps == 13);
}

TEST_CASE("resume: --data may name the run's own files, however spelt, and no others") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  const TrainOptions first = testing::tiny_run(dir, "run");
  train(first, log);
  TrainOptions o = resume_of<TrainOptions>(dir.path("run"));
  o.data = {dir.write("other.txt", "Something else entirely, written twice.\nSomething else entirely.\n")};
  CHECK_THROWS_WITH(train(o, log), Catch::Contains("but --data now names") && Catch::Contains("other.txt"));
  const std::filesystem::path file = first.data[0];
  o.data = {(file.parent_path() / "." / file.filename()).string()}, o.max_steps = 13;
  CHECK(train(o, log).steps == 13);
  CHECK(saved_options(dir.path("run"))["data"] == nlohmann::json(first.data));  // as the run first spelt it
}

TEST_CASE("resume: a checkpoint from before the settings list (no threads, max_time, decay_steps) goes on") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  train(testing::tiny_run(dir, "run"), log);
  const std::string path = dir.path("run/checkpoint.safetensors");
  ag::SafetensorsFile file = ag::load_safetensors(path);
  nlohmann::json options = nlohmann::json::parse(file.metadata.at("options"));
  for (const char* key : {"threads", "max_time", "decay_steps"}) options.erase(key);
  file.metadata["options"] = options.dump();
  ag::save_safetensors(path, file.tensors, file.metadata);
  TrainOptions o = resume_of<TrainOptions>(dir.path("run"));
  o.max_steps = 14, o.threads = 1;
  CHECK(train(o, log).steps == 14);
  const nlohmann::json saved = saved_options(dir.path("run"));
  CHECK(saved["decay_steps"] == 12);  // the cosine the run started with: its max_steps
  CHECK(saved["threads"] == 1);
}

TEST_CASE("resume: --threads is held to this machine's cores as the run starts, so a checkpoint from a larger machine goes on") {
  ag::data::testing::TempDir dir;
  ag::train::testing::check_threads_held_to_this_machine(testing::tiny_run(dir, "run"), &train);
}
