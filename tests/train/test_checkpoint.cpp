// Checkpoints: everything saved comes back (weights, optimizer, schedule, generator, state, the
// program's options and fields), and damaged or foreign files are refused naming the file and key.
#include <catch2/catch.hpp>
#include <filesystem>

#include "ag/ag.h"
#include "ag/nn/linear.h"
#include "ag/train/checkpoint.h"
#include "tests/data/temp_dir.h"

using namespace ag;
using ag::data::testing::TempDir;

namespace {

const train::FileFormat kFormat{"toy-linear-1", "toy"};

// A model, optimizer and schedule that have taken `steps` steps.
struct Run {
  explicit Run(int64_t out = 2) : model(3, out), optimizer(model->parameters(), optim::AdamOptions(0.1)),
                                  schedule(optimizer, /*step_size=*/2, /*gamma=*/0.5) {}
  void steps(int n) {
    for (int i = 0; i < n; ++i) {
      optimizer.zero_grad();
      model(ones({4, 3})).pow(2).sum().backward();
      optimizer.step();
      schedule.step();
      state.train_losses.push_back(i);
      ++state.step;
    }
  }
  train::Trainables parts() { return {*model, optimizer, &schedule}; }

  nn::Linear model;
  optim::Adam optimizer;
  optim::StepLR schedule;
  train::TrainState state;
};

}  // namespace

TEST_CASE("checkpoint: what is saved is restored, generator included") {
  TempDir dir;
  manual_seed(1);
  Run a;
  a.steps(3);
  a.state.elapsed_s = 12.5;
  a.state.loader = {.epoch = 2, .batch = 5, .rng_state = "rng", .dataset_size = 9};
  a.state.extra = {{"best_score", 0.75}};
  train::save_checkpoint(dir.path("c.safetensors"), kFormat, a.parts(), a.state, {{"hidden", 64}},
                         {{"vocab", "abc"}});
  const double next_random = randn({1}).item();  // what the generator gives after the save

  Run b;
  const train::Checkpoint saved = train::Checkpoint::load(dir.path("c.safetensors"), kFormat);
  saved.restore(b.parts());
  CHECK(randn({1}).item() == next_random);
  CHECK(b.model->weight.to_vector<float>() == a.model->weight.to_vector<float>());
  CHECK(b.schedule.last_epoch() == 3);
  CHECK(b.optimizer.state_dict().size() == a.optimizer.state_dict().size());
  CHECK(saved.state().step == 3);
  CHECK(saved.state().elapsed_s == 12.5);
  CHECK(saved.state().train_losses == std::vector<double>{0, 1, 2});
  CHECK(saved.state().loader.batch == 5);
  CHECK(saved.state().extra == nlohmann::json{{"best_score", 0.75}});
  CHECK(saved.options() == nlohmann::json{{"hidden", 64}});
  CHECK(saved.file().field("vocab") == "abc");
  // Both take the same next step.
  a.steps(1), b.steps(1);
  CHECK(b.model->weight.to_vector<float>() == a.model->weight.to_vector<float>());
}

TEST_CASE("checkpoint: foreign, damaged and mismatched files are refused, naming the file and key") {
  TempDir dir;
  Run run;
  run.steps(2);
  const std::string path = dir.path("c.safetensors");
  train::save_checkpoint(path, kFormat, run.parts(), run.state, {});

  REQUIRE_THROWS_WITH(train::Checkpoint::load(path, {"other-2", "other"}),
                      Catch::Contains(path + " is in format 'toy-linear-1' but this other reads 'other-2'"));
  const train::Checkpoint saved = train::Checkpoint::load(path, kFormat);
  REQUIRE_THROWS_WITH(saved.file().field("vocab"),
                      Catch::Contains(path + " has no 'vocab' in its metadata; it is not a file written by toy"));
  Run wider(5);
  REQUIRE_THROWS_WITH(saved.restore(wider.parts()), Catch::Contains("c.safetensors does not fit") &&
                                                        Catch::Contains("weight"));

  save_safetensors(dir.path("weights.safetensors"), run.model->state_dict());
  REQUIRE_THROWS_WITH(train::Checkpoint::load(dir.path("weights.safetensors"), kFormat),
                      Catch::Contains("has no 'format' in its metadata"));
  SafetensorsFile file = load_safetensors(path);
  file.metadata["state"] = "{\"step\": 2}";
  save_safetensors(dir.path("damaged.safetensors"), file.tensors, file.metadata);
  REQUIRE_THROWS_WITH(train::Checkpoint::load(dir.path("damaged.safetensors"), kFormat),
                      Catch::Contains("the training state is incomplete"));
  // A step written as a float beyond int64 is refused, never cast (undefined behaviour).
  nlohmann::json state = nlohmann::json::parse(load_safetensors(path).metadata.at("state"));
  state["step"] = 2.0e19;
  file.metadata["state"] = state.dump();
  save_safetensors(dir.path("damaged.safetensors"), file.tensors, file.metadata);
  REQUIRE_THROWS_WITH(train::Checkpoint::load(dir.path("damaged.safetensors"), kFormat),
                      Catch::Contains("the training state is damaged: the step must be an integer"));
  state["step"] = 2, state["loader"]["epoch"] = 2.0e19;  // the same for the data loader's position
  file.metadata["state"] = state.dump();
  save_safetensors(dir.path("damaged.safetensors"), file.tensors, file.metadata);
  REQUIRE_THROWS_WITH(train::Checkpoint::load(dir.path("damaged.safetensors"), kFormat),
                      Catch::Contains(dir.path("damaged.safetensors") + ": the training state is damaged: the data "
                                      "loader's epoch must be an integer from 0 to 9223372036854775807, got 2e+19"));
  file.metadata["state"] = "{not json";
  save_safetensors(dir.path("damaged.safetensors"), file.tensors, file.metadata);
  REQUIRE_THROWS_WITH(train::Checkpoint::load(dir.path("damaged.safetensors"), kFormat),
                      Catch::Contains("the metadata field 'state' is not valid JSON"));
}

TEST_CASE("checkpoint: a state that could not be resumed is not saved") {
  TempDir dir;
  Run run;
  run.steps(2);
  run.state.train_losses.pop_back();
  REQUIRE_THROWS_WITH(train::save_checkpoint(dir.path("c.safetensors"), kFormat, run.parts(), run.state, {}),
                      Catch::Contains("at step 2 but holds 1 training losses"));
  run.state.train_losses.push_back(1);
  run.state.extra = {{"step", 1}};
  REQUIRE_THROWS_WITH(train::save_checkpoint(dir.path("c.safetensors"), kFormat, run.parts(), run.state, {}),
                      Catch::Contains("may not hold 'step'"));
  run.state.extra = nlohmann::json::object();
  REQUIRE_THROWS_WITH(train::save_checkpoint(dir.path("c.safetensors"), kFormat, run.parts(), run.state, {},
                                             {{"options", "mine"}}),
                      Catch::Contains("'options' is the kit's own"));
  CHECK_FALSE(std::filesystem::exists(dir.path("c.safetensors")));
}

TEST_CASE("checkpoint: a program's own file (weights to use later) round-trips through save_file") {
  TempDir dir;
  Run run;
  train::save_file(dir.path("model.safetensors"), kFormat, run.model->state_dict(), {{"vocab", "abc"}});
  const train::SavedFile file = train::SavedFile::open(dir.path("model.safetensors"), kFormat);
  CHECK(file.field("vocab") == "abc");
  CHECK(file.tensors().at("weight").to_vector<float>() == run.model->weight.to_vector<float>());
  REQUIRE_THROWS_WITH(train::SavedFile::open(dir.path("model.safetensors"), {"gpt-1", "gpt"}),
                      Catch::Contains("is in format 'toy-linear-1' but this gpt reads 'gpt-1'"));
  REQUIRE_THROWS_WITH(train::save_file(dir.path("x.safetensors"), kFormat, {}, {{"format", "mine"}}),
                      Catch::Contains("'format' is the kit's own"));
}
