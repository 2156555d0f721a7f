// Every setting of `forecast` has a range, checked alike on the command line, in the checkpoint
// --resume reads and in the weights file predict reads: a damaged or hostile file is an error
// naming the file, the key and the value, never a float cast to an integer, an integer overflow or
// a model built until memory runs out.
#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <limits>
#include <sstream>

#include "ag/core/checked.h"
#include "ag/core/error.h"
#include "commands.h"
#include "model.h"
#include "tests/data/temp_dir.h"
#include "tests/train/edit_metadata.h"
#include "tiny_run.h"
#include "train.h"

using namespace forecast;
using ag::data::testing::TempDir;
using ag::train::testing::edit_metadata;
using nlohmann::json;

TEST_CASE("forecast: flags out of their ranges are refused before any work, naming the flag") {
  TempDir dir;
  std::ostringstream log;
  const auto refused = [&](const std::function<void(TrainOptions&)>& change, const std::string& message) {
    TrainOptions o = testing::tiny_run(dir, "run");
    change(o);
    CHECK_THROWS_WITH(train(o, log), Catch::Contains(message));
  };
  // 3 x --season and 2 x --horizon overflowed int64 (undefined behaviour) before any check.
  refused([](TrainOptions& o) { o.season = 4000000000000000000, o.model.horizon = 0; },
          "--season must be an integer from 0 to 1048576, got 4000000000000000000");
  refused([](TrainOptions& o) { o.model.horizon = int64_t{1} << 62; }, "--horizon must be an integer from 0 to 65536, got 4611686018427387904");
  refused([](TrainOptions& o) { o.model.context = int64_t{1} << 62; }, "--context must be an integer from 0 to 65536, got 4611686018427387904");
  refused([](TrainOptions& o) { o.threads = 100000; }, "--threads must be an integer from 0 to 4096, got 100000");  // crashed libgomp
  refused([](TrainOptions& o) { o.batch_size = int64_t{1} << 40; }, "--batch-size must be an integer from 1 to 65536, got 1099511627776");
  refused([](TrainOptions& o) { o.max_steps = int64_t{1} << 62; }, "--max-steps must be an integer from 1 to 1099511627776, got 4611686018427387904");
  refused([](TrainOptions& o) { o.save_every = -1; }, "--save-every must be an integer from 1 to 1099511627776, got -1");
  refused([](TrainOptions& o) { o.lr = std::numeric_limits<double>::infinity(); }, "--lr must be a number in (0, 100]");
  refused([](TrainOptions& o) { o.seed = std::numeric_limits<uint64_t>::max(); }, "--seed must be an integer from 0 to 9000000000000000000, got 18446744073709551615");
  refused([](TrainOptions& o) { o.model.layers = 100000; }, "--layers must be an integer from 1 to 64, got 100000");
  refused([](TrainOptions& o) { o.model.width = 100000, o.model.heads = 1; }, "--width must be an integer from 1 to 4096, got 100000");
  CHECK_FALSE(std::filesystem::exists(dir.path("run")));

  PredictOptions predict;
  predict.threads = 100000;
  CHECK_THROWS_WITH(run_predict(predict, log), Catch::Contains("--threads (100000)"));
}

TEST_CASE("forecast: a model too large for this machine is refused before anything is allocated") {
  ModelConfig config;
  config.context = 64, config.horizon = 16, config.width = 4096, config.layers = 64, config.feedforward = 16384;
  // 1.3e10 parameters, 4 floats each with their gradients and AdamW's moments: 206 GB, in matrices
  // of 67 MB to 268 MB that each fit (so each allocation alone would have been accepted).
  if (ag::physical_memory_bytes() < size_t{200'000'000'000})
    CHECK_THROWS_WITH(Forecaster(config), Catch::Contains("more than this machine's memory") &&
                                              Catch::Contains("a forecaster of context 64, patch 4, horizon 16, width 4096"));
  config.context = 65536, config.patch = 1, config.horizon = 65536, config.width = 64, config.layers = 1;
  CHECK_THROWS_WITH(Forecaster(config), Catch::Contains("a forecaster of context 65536, patch 1"));  // 13 TB
}

TEST_CASE("forecast: a checkpoint or weights file with settings out of range is refused, naming it") {
  TempDir dir;
  std::ostringstream log;
  train(testing::tiny_run(dir, "run"), log);
  const std::string checkpoint = dir.path("run/checkpoint.safetensors"), weights = dir.path("run/model.safetensors");
  const std::string kept = dir.path("checkpoint.kept");
  std::filesystem::copy_file(checkpoint, kept);
  TrainOptions resume;
  resume.resume = dir.path("run"), resume.threads = 1;
  using Damage = std::tuple<std::string, json, std::string>;  // JSON pointer, value, message

  for (const auto& [key, value, message] : std::vector<Damage>{
           {"/model/layers", 100000, "options model layers (--layers) must be an integer from 1 to 64, got 100000"},
           {"/model/width", 100000, "options model width (--width) must be an integer from 1 to 4096, got 100000"},
           {"/model/layers", 2.0e19, "options model layers (--layers) must be an integer from 1 to 64, got 2e+19"},
           {"/season", 1e300, "options season (--season) must be an integer from 0 to 1048576, got 1e+300"},
           {"/batch_size", 1 << 30, "options batch_size (--batch-size) must be an integer from 1 to 65536, got 1073741824"},
           {"/seed", 1.5, "options seed (--seed) must be an integer from 0 to 9000000000000000000, got 1.5"}}) {
    INFO(key << " = " << value.dump());
    edit_metadata(kept, checkpoint, "options", [&](json& options) { options[json::json_pointer(key)] = value; });
    CHECK_THROWS_WITH(train(resume, log), Catch::Contains(checkpoint + ": " + message));
  }

  PredictOptions predict;
  predict.model = weights, predict.history = dir.write("recent.csv", testing::monthly_csv(40));
  for (const auto& [key, value, message] : std::vector<Damage>{
           {"/layers", 100, "model config layers (--layers) must be an integer from 1 to 64, got 100"},
           {"/width", 2.0e19, "model config width (--width) must be an integer from 1 to 4096, got 2e+19"},
           {"/horizon", 1 << 20, "model config horizon (--horizon) must be an integer from 0 to 65536, got 1048576"},
           {"/hw_residual", {{"history", 0}, {"season", 12}, {"alpha", 2}, {"beta", 0}, {"gamma", 0}},
            "model config hw_residual alpha must be a number in [0, 1], got 2"},
           {"/hw_residual", {{"history", 13}, {"season", 12}, {"alpha", 0.5}, {"beta", 0}, {"gamma", 0}},
            "model: --hw-residual needs a --season (12) of at least 2, and --context (24) and --hw-history (13"},
           {"/hw_residual", {{"history", 0}, {"season", 1.5}, {"alpha", 0.5}, {"beta", 0}, {"gamma", 0}},
            "model config hw_residual season must be an integer from 0 to 65536, got 1.5"}}) {
    INFO(key << " = " << value.dump());
    edit_metadata(dir.path("run/model.safetensors"), dir.path("edited.safetensors"), "config",
                  [&](json& config) { config[json::json_pointer(key)] = value; });
    predict.model = dir.path("edited.safetensors");
    CHECK_THROWS_WITH(run_predict(predict, log), Catch::Contains(predict.model + ": " + message));
  }
}
