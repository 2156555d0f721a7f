// Every setting has a range, checked alike on the command line, in a weights file and in a
// checkpoint read on --resume: an absurd number is a message naming the flag (or the file and key)
// and the value, before anything is allocated from it.
#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>

#include "ag/core/serialize.h"
#include "commands.h"
#include "tiny_run.h"
#include "weights.h"

using namespace gpt;

namespace {

TrainOptions tiny_run(ag::data::testing::TempDir& dir) {
  TrainOptions o = testing::tiny_run(dir, "run");
  o.max_steps = 2, o.warmup = 0, o.sample_tokens = 0;
  return o;
}

// The message of the error `load()` throws once the JSON metadata field `key` of `path` is edited
// at `pointer` ("accepted" if none); the file is restored after.
template <typename Load>
std::string refused_after_edit(const std::string& path, const std::string& key, const std::string& pointer,
                               const nlohmann::json& value, Load&& load) {
  const ag::SafetensorsFile original = ag::load_safetensors(path);
  ag::SafetensorsFile file = original;
  nlohmann::json field = nlohmann::json::parse(file.metadata.at(key));
  field[nlohmann::json::json_pointer(pointer)] = value;
  file.metadata[key] = field.dump();
  ag::save_safetensors(path, file.tensors, file.metadata);
  std::string message = "accepted";
  try {
    load();
  } catch (const ag::Error& e) {
    message = e.what();
  }
  ag::save_safetensors(path, original.tensors, original.metadata);
  return message;
}

}  // namespace

TEST_CASE("bounds: train's flags out of range are refused by name") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  const auto refused = [&](auto edit) {
    TrainOptions o = tiny_run(dir);
    edit(o);
    try {
      train(o, log);
    } catch (const ag::Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK_THAT(refused([](TrainOptions& o) { o.model.n_layer = 100000; }),
             Catch::Contains("--layers must be an integer from 1 to 256, got 100000"));
  CHECK_THAT(refused([](TrainOptions& o) { o.model.n_embd = int64_t{1} << 40; }), Catch::Contains("--width must be"));
  CHECK_THAT(refused([](TrainOptions& o) { o.model.block_size = int64_t{1} << 40; }),
             Catch::Contains("--context must be"));
  CHECK_THAT(refused([](TrainOptions& o) { o.batch_size = int64_t{1} << 40; }), Catch::Contains("--batch-size must be"));
  CHECK_THAT(refused([](TrainOptions& o) { o.threads = 100000; }),
             Catch::Contains("--threads must be an integer from 0 to 4096, got 100000"));
  CHECK_THAT(refused([](TrainOptions& o) { o.sample_tokens = int64_t{1} << 50; }),
             Catch::Contains("--sample-tokens must be"));
  CHECK_THAT(refused([](TrainOptions& o) { o.lr = std::nan(""); }), Catch::Contains("--lr must be a number in (0, 10]"));
  // Each in range, together too large: the sizes multiply (checked) and must fit in memory.
  CHECK_THAT(refused([](TrainOptions& o) { o.model.n_layer = 256, o.model.n_embd = 65536; }),
             Catch::Contains("more than this machine's memory"));
  CHECK_THAT(refused([](TrainOptions& o) { o.model.block_size = 65536, o.batch_size = 65536; }),
             Catch::Contains("--batch-size"));
}

TEST_CASE("bounds: a weights file's config out of range is refused before a model is built") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  train(tiny_run(dir), log);
  const std::string weights = dir.path("run/model.safetensors");
  const auto refused = [&](const std::string& key, const nlohmann::json& value) {
    return refused_after_edit(weights, "config", "/" + key, value, [&] { load_model(dir.path("run")); });
  };
  CHECK_THAT(refused("n_layer", 100000),
             Catch::Contains(weights + ": config n_layer (--layers) must be an integer from 1 to 256, got 100000"));
  CHECK_THAT(refused("n_embd", 2.0e19), Catch::Contains("config n_embd (--width) must be an integer"));
  CHECK_THAT(refused("block_size", 1.5), Catch::Contains("config block_size (--context) must be an integer"));
  CHECK_THAT(refused("n_head", -1), Catch::Contains("config n_head (--heads) must be an integer"));
  CHECK_THAT(refused("dropout", 1.0), Catch::Contains("config dropout (--dropout) must be a number in [0, 1)"));
  // In range but not what the file holds: refused before the model is built.
  CHECK_THAT(refused("n_layer", 200), Catch::Contains("the config says n_layer is 200, but the file holds fewer"));
  CHECK_THAT(refused("block_size", 4096), Catch::Contains("the config says transformer.wpe.weight is (4096, 16)"));
  CHECK_NOTHROW(load_model(dir.path("run")));
}

TEST_CASE("bounds: a checkpoint's settings out of range are refused on --resume") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  train(tiny_run(dir), log);
  const std::string checkpoint = dir.path("run/checkpoint.safetensors");
  TrainOptions resume;
  resume.resume = dir.path("run"), resume.threads = 1;
  const auto refused = [&](const std::string& pointer, const nlohmann::json& value) {
    return refused_after_edit(checkpoint, "options", pointer, value, [&] { train(resume, log); });
  };
  CHECK_THAT(refused("/model/n_layer", 100000),
             Catch::Contains(checkpoint + ": options model n_layer (--layers) must be an integer from 1 to 256"));
  CHECK_THAT(refused("/batch_size", 2.0e19), Catch::Contains("options batch_size (--batch-size) must be an integer"));
  CHECK_THAT(refused("/eval_batches", 1.5), Catch::Contains("options eval_batches (--eval-batches) must be an integer"));
  CHECK_THAT(refused("/max_steps", int64_t{1} << 62), Catch::Contains("options max_steps (--max-steps)"));
  CHECK_THAT(refused("/seed", -1), Catch::Contains("options seed (--seed) must be an integer"));
  CHECK_THAT(refused("/beta2", 1.0), Catch::Contains("options beta2 must be a number in [0, 1)"));
  CHECK_THAT(refused("/threads", 100000),
             Catch::Contains("options threads (--threads) must be an integer from 0 to 4096, got 100000"));
  CHECK_THAT(refused("/max_time", -1), Catch::Contains("options max_time (--max-time) must be a number in [0, 1000000000], got -1"));
  CHECK_THAT(refused("/tokenizer", "word"), Catch::Contains("options tokenizer (--tokenizer) must be char, bpe or unigram"));
}

TEST_CASE("bounds: sample, chat and eval refuse flags out of range before loading anything") {
  std::istringstream in;
  std::ostringstream out;
  SampleOptions sample;
  sample.model = "no-such-run";
  sample.tokens = int64_t{1} << 50;
  CHECK_THROWS_WITH(run_sample(sample, in, true, out), Catch::Contains("--tokens must be from 0 to"));
  sample.tokens = 10, sample.num_samples = 1000000;
  CHECK_THROWS_WITH(run_sample(sample, in, true, out), Catch::Contains("--num-samples must be from 1 to 4096"));
  sample.num_samples = 1, sample.threads = 100000;
  CHECK_THROWS_WITH(run_sample(sample, in, true, out), Catch::Contains("--threads (100000) must be in [0, "));
  sample.threads = 0, sample.sampling.top_k = int64_t{1} << 40;
  CHECK_THROWS_WITH(run_sample(sample, in, true, out), Catch::Contains("--top-k"));
  EvalOptions eval;
  eval.model = "no-such-run", eval.texts = {"no-such.txt"}, eval.batch_size = int64_t{1} << 40;
  CHECK_THROWS_WITH(run_eval(eval, out), Catch::Contains("--batch-size must be from 1 to 4096"));
  ChatCommandOptions chat;
  chat.model = "no-such-run", chat.threads = -1;
  CHECK_THROWS_WITH(run_chat(chat, in, false, out), Catch::Contains("--threads (-1) must be in [0, "));
}
