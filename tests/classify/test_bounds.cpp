// Every setting of `classify` has a range, checked alike on the command line, in the checkpoint
// --resume reads and in the weights file predict and eval read: a file is trusted only as far as
// it is checked, so a damaged or hostile one is an error naming the file, the key and the value,
// never a float cast to an integer or a model built until memory runs out.
#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <limits>
#include <sstream>

#include "ag/core/checked.h"
#include "ag/core/error.h"
#include "ag/train/interrupt.h"
#include "commands.h"
#include "model.h"
#include "tests/data/temp_dir.h"
#include "tests/train/edit_metadata.h"
#include "tiny_run.h"
#include "train.h"

using namespace classify;
using ag::data::testing::TempDir;
using ag::train::testing::edit_metadata;
using nlohmann::json;

TEST_CASE("classify: flags out of their ranges are refused before any work, naming the flag") {
  TempDir dir;
  std::ostringstream log;
  const auto refused = [&](const std::function<void(TrainOptions&)>& change, const std::string& message) {
    TrainOptions o = testing::tiny_run(dir, "run");
    change(o);
    CHECK_THROWS_WITH(train(o, log), Catch::Contains(message));
  };
  refused([](TrainOptions& o) { o.threads = 100000; }, "--threads must be an integer from 0 to 4096, got 100000");  // crashed libgomp
  refused([](TrainOptions& o) { o.threads = 4000; }, "--threads (4000) must be in [0, ");  // more than the machine uses
  refused([](TrainOptions& o) { o.threads = -1; }, "--threads must be an integer from 0 to 4096, got -1");
  refused([](TrainOptions& o) { o.warmup = -1; }, "--warmup must be an integer from 0 to 1099511627776, got -1");
  refused([](TrainOptions& o) { o.eval_every = int64_t{1} << 62; }, "--eval-every must be an integer from 0 to 1099511627776, got 4611686018427387904");
  refused([](TrainOptions& o) { o.lr = std::numeric_limits<double>::infinity(); }, "--lr must be a number in (0, 100], got inf");
  refused([](TrainOptions& o) { o.max_time = -1; }, "--max-time must be a number in [0, 1000000000], got -1");
  refused([](TrainOptions& o) { o.seed = std::numeric_limits<uint64_t>::max(); }, "--seed must be an integer from 0 to 9000000000000000000, got 18446744073709551615");
  refused([](TrainOptions& o) { o.model.layers = 100000; }, "--layers must be an integer from 1 to 24, got 100000");
  refused([](TrainOptions& o) { o.model.width = 100000; }, "--width must be an integer from 1 to 4096, got 100000");
  CHECK_FALSE(std::filesystem::exists(dir.path("run")));

  PredictOptions predict;
  predict.threads = 100000;
  std::istringstream in;
  CHECK_THROWS_WITH(run_predict(predict, in, true, log), Catch::Contains("--threads (100000)"));
}

TEST_CASE("classify: a model too large for this machine is refused before anything is allocated") {
  ModelConfig config;
  config.vocab_size = 1000000, config.num_classes = 1000, config.width = 4096, config.layers = 24;
  config.feedforward = 16384;
  // 8.9e9 parameters, 4 floats each with their gradients and AdamW's moments: 143 GB.
  if (ag::physical_memory_bytes() < size_t{140'000'000'000})
    CHECK_THROWS_WITH(Classifier(config), Catch::Contains("more than this machine's memory") &&
                                              Catch::Contains("a classifier of 1000000 pieces, width 4096"));
}

TEST_CASE("classify: a checkpoint or weights file with settings out of range is refused, naming it") {
  TempDir dir;
  std::ostringstream log;
  TrainOptions o = testing::tiny_run(dir, "run");
  o.epochs = 1;
  train(o, log);
  const std::string checkpoint = dir.path("run/checkpoint.safetensors"), weights = dir.path("run/model.safetensors");
  const std::string kept_checkpoint = dir.path("checkpoint.kept"), kept_weights = dir.path("model.kept");
  std::filesystem::copy_file(checkpoint, kept_checkpoint);
  std::filesystem::copy_file(weights, kept_weights);
  TrainOptions resume;
  resume.resume = dir.path("run"), resume.threads = 1;
  using Damage = std::tuple<std::string, json, std::string>;  // JSON pointer, value, message

  // --resume: the saved options, each in its flag's range and an integer where one belongs.
  for (const auto& [key, value, message] : std::vector<Damage>{
           {"/model/layers", 100000, "options model layers (--layers) must be an integer from 1 to 24, got 100000"},
           {"/model/width", 100000, "options model width (--width) must be an integer from 1 to 4096"},
           {"/model/layers", 2.0e19, "options model layers (--layers) must be an integer"},  // was cast: undefined behaviour
           {"/batch_size", 1.5, "options batch_size (--batch-size) must be an integer"},
           {"/warmup", -5, "options warmup (--warmup) must be an integer from 0"},
           {"/seed", -1, "options seed (--seed) must be an integer from 0"},
           {"/vocab_size", 1e10, "options vocab_size (--vocab-size) must be an integer"},
           {"/threads", 100000, "options threads (--threads) must be an integer from 0 to 4096"},
           {"/class_weights", "inverse", "options class_weights (--class-weights) must be none or balanced"}}) {
    INFO(key << " = " << value.dump());
    edit_metadata(kept_checkpoint, checkpoint, "options", [&](json& options) { options[json::json_pointer(key)] = value; });
    CHECK_THROWS_WITH(train(resume, log), Catch::Contains(checkpoint + ": " + message));
  }
  edit_metadata(kept_checkpoint, checkpoint, "state", [](json& state) { state["best_step"] = 2.0e19; });
  CHECK_THROWS_WITH(train(resume, log), Catch::Contains(checkpoint + ": the state's best_step must be an integer"));

  // predict and eval: the model description in the weights file.
  PredictOptions predict;
  predict.model = dir.path("run"), predict.texts = {"rain"};
  std::istringstream in;
  std::ostringstream out;
  run_predict(predict, in, true, out);
  for (const auto& [key, value, message] : std::vector<Damage>{
           {"/width", 100000, "model config width (--width) must be an integer from 1 to 4096"},
           {"/layers", 1e300, "model config layers (--layers) must be an integer"},
           {"/max_tokens", -1, "model config max_tokens (--max-tokens) must be an integer from 1 to 4096, got -1"}}) {
    INFO(key << " = " << value.dump());
    edit_metadata(kept_weights, weights, "config", [&](json& config) { config[json::json_pointer(key)] = value; });
    CHECK_THROWS_WITH(run_predict(predict, in, true, out), Catch::Contains(weights + ": " + message));
  }
}
