// What a gpt checkpoint says is trusted only as far as it can be checked: the training text it
// names for --resume must be a regular file.
#include <catch2/catch.hpp>
#include <sstream>

#include "ag/core/serialize.h"
#include "tiny_run.h"

using namespace gpt;

TEST_CASE("train: --resume refuses a checkpoint whose training text is not a regular file") {
  ag::data::testing::TempDir dir;
  TrainOptions o = testing::tiny_run(dir, "run");
  o.max_steps = 2, o.warmup = 0, o.sample_tokens = 0;
  std::ostringstream log;
  train(o, log);

  // The saved settings edited to read a directory, or /dev/zero (which never ends).
  const std::string checkpoint = dir.path("run/checkpoint.safetensors");
  ag::SafetensorsFile file = ag::load_safetensors(checkpoint);
  nlohmann::json options = nlohmann::json::parse(file.metadata.at("options"));
  TrainOptions resume;
  resume.resume = o.out, resume.threads = 1;
  for (const std::string& data : {dir.path(""), std::string("/dev/zero")}) {
    options["data"] = data;
    file.metadata["options"] = options.dump();
    ag::save_safetensors(checkpoint, file.tensors, file.metadata);
    CHECK_THROWS_WITH(train(resume, log), Catch::Contains("the run's training text " + data + " is not a regular file"));
  }
}
