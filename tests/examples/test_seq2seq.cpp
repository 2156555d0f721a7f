// The seq2seq example end to end, on a tiny model and a small date task so the suite takes seconds:
// training lowers the loss, checkpoints round-trip and refuse damage, an interrupted and resumed run
// takes exactly the steps of an uninterrupted one, and the searches agree with each other.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "checkpoint.h"
#include "ag/core/error.h"
#include "ag/core/generator.h"
#include "ag/core/serialize.h"
#include "tests/data/temp_dir.h"
#include "tests/examples/tiny_run.h"
#include "tests/train/edit_metadata.h"
#include "ag/train/interrupt.h"
#include "search.h"
#include "trainer.h"
#include "translator.h"

using namespace seq2seq;
using ag::data::testing::TempDir;
using seq2seq::testing::tiny_options;
namespace fs = std::filesystem;

namespace {

const auto kNoFlags = [](const std::string&) { return false; };
// As if every setting came from a flag, so the built-in task's own settings do not replace them.
const auto kAllFlags = [](const std::string&) { return true; };

// Runs quietly, returning the result.
TrainResult run(const TrainOptions& options, const FlagGiven& given = kAllFlags) {
  std::ostringstream log;
  return train(options, given, log);
}

double mean(const std::vector<double>& v, size_t begin, size_t end) {
  double sum = 0;
  for (size_t i = begin; i < end; ++i) sum += v[i];
  return sum / static_cast<double>(end - begin);
}

// One trained run shared by the tests that only read it.
const std::string& trained_run() {
  static TempDir dir;
  static const std::string path = [] {
    TrainOptions o = tiny_options(dir.path("run"), 120);
    o.schedule.eval_every = 60;
    run(o);
    return dir.path("run");
  }();
  return path;
}

// The first `count` validation sources of the built-in task as padded ids.
std::pair<ag::Tensor, ag::Tensor> some_sources(const LoadedModel& loaded, size_t count) {
  static std::vector<TokenIds> sources;
  sources.clear();
  for (const char* text : {"21st of November 2026", "Nov 3, 99", "03.04.1961", "Monday, July 4, 2011", "19991231",
                           "5 MAR 2040", "12/25/1970"})
    if (sources.size() < count) sources.push_back(loaded.src.encode(text));
  std::vector<const TokenIds*> rows;
  for (const auto& s : sources) rows.push_back(&s);
  return pad_batch(rows);
}

}  // namespace

TEST_CASE("seq2seq train: the built-in task's loss falls and every report is written") {
  const std::string& dir = trained_run();
  const TrainingState state = read_checkpoint(dir).state;
  REQUIRE(state.step == 120);
  REQUIRE(mean(state.train_losses, 100, 120) < 0.7 * mean(state.train_losses, 0, 20));
  for (const char* name : {kModelFile, kBestFile, kCheckpointFile, "metrics.jsonl", "loss.svg", "attention.svg"})
    CHECK(fs::exists(fs::path(dir) / name));
  std::ifstream metrics(fs::path(dir) / "metrics.jsonl");
  std::string line;
  int lines = 0;
  while (std::getline(metrics, line)) {
    const auto entry = nlohmann::json::parse(line);
    for (const char* key : {"epoch", "step", "elapsed_s", "train_loss", "val_loss", "exact_match", "bleu"})
      CHECK(entry.contains(key));
    ++lines;
  }
  CHECK(lines == 2);  // at steps 60 and 120
}

TEST_CASE("seq2seq checkpoint: weights and vocabularies survive a save and load") {
  TempDir dir;
  LoadedModel original = load_model(trained_run());
  save_model(dir.path("copy.safetensors"), *original.model, original.src, original.tgt, {{"note", "copy"}});
  LoadedModel copy = load_model(dir.path("copy.safetensors"));
  CHECK(copy.model->config == original.model->config);
  CHECK(copy.src.vocab == original.src.vocab);
  CHECK(copy.tgt.vocab == original.tgt.vocab);
  const auto a = original.model->state_dict(), b = copy.model->state_dict();
  REQUIRE(a.size() == b.size());
  for (const auto& [name, tensor] : a) CHECK(tensor.to_vector<float>() == b.at(name).to_vector<float>());
  Translator ta(*original.model, original.src, original.tgt, {}), tb(*copy.model, copy.src, copy.tgt, {});
  CHECK(ta.translate({"Nov 3, 99", "21.11.2026"}) == tb.translate({"Nov 3, 99", "21.11.2026"}));
}

TEST_CASE("seq2seq resume: an interrupted run continues exactly as an uninterrupted one") {
  TempDir dir;
  const TrainResult whole = run(tiny_options(dir.path("whole"), 30));
  REQUIRE(whole.train_losses.size() == 30);

  // Stopped by the step limit mid-epoch, then by Ctrl-C, then run to the end.
  const TrainResult first = run(tiny_options(dir.path("parts"), 11));
  REQUIRE(first.steps == 11);
  TrainOptions again = tiny_options("", 30);
  again.resume = dir.path("parts");
  ag::train::InterruptGuard::request();
  const TrainResult second = run(again, [](const std::string& flag) { return flag == "--max-steps"; });
  REQUIRE(second.interrupted);
  REQUIRE(second.steps == 12);
  const TrainResult third = run(again, [](const std::string& flag) { return flag == "--max-steps"; });
  REQUIRE(third.steps == 30);
  CHECK(third.train_losses == whole.train_losses);  // bit for bit, every step

  const auto a = load_model(dir.path("whole") + "/model.safetensors").model->state_dict();
  const auto b = load_model(dir.path("parts") + "/model.safetensors").model->state_dict();
  for (const auto& [name, tensor] : a) CHECK(tensor.to_vector<float>() == b.at(name).to_vector<float>());
}

TEST_CASE("seq2seq resume: a run that has ended says so, and trains and validates nothing") {
  TempDir dir;
  fs::copy(trained_run(), dir.path("run"), fs::copy_options::recursive);
  const auto bytes = [&](const std::string& name) {
    std::ifstream in(fs::path(dir.path("run")) / name, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string checkpoint = bytes(kCheckpointFile), metrics = bytes("metrics.jsonl");
  const TrainingState saved = read_checkpoint(dir.path("run")).state;
  const auto last_line = metrics.substr(metrics.rfind('\n', metrics.size() - 2) + 1);
  CHECK(saved.last_exact_match == nlohmann::json::parse(last_line).at("exact_match").get<double>());

  TrainOptions again = tiny_options("", 120);
  again.resume = dir.path("run");
  std::ostringstream log;
  CHECK(train(again, kNoFlags, log).steps == 120);
  CHECK_THAT(log.str(), Catch::Contains("seq2seq: the run has reached its last step (120); nothing to train. Give a "
                                        "larger --max-steps to train on"));
  CHECK(bytes(kCheckpointFile) == checkpoint);
  CHECK(bytes("metrics.jsonl") == metrics);

  // A run that stopped on its --target-exact-match has ended too: it used to train until the next
  // validation, which reached the target again. (This tiny run's exact match is 0: say it was 0.5.)
  const std::string path = (fs::path(dir.path("run")) / kCheckpointFile).string();
  ag::train::testing::edit_metadata(path, path, "state", [](nlohmann::json& state) { state["last_exact_match"] = 0.5; });
  REQUIRE(read_checkpoint(dir.path("run")).state.last_exact_match == 0.5);
  again.schedule.max_steps = 240;
  again.schedule.target_exact_match = 0.5;
  log.str("");
  CHECK(train(again, [](const std::string& flag) { return flag == "--max-steps" || flag == "--target-exact-match"; },
              log).steps == 120);
  CHECK_THAT(log.str(), Catch::Contains("seq2seq: the run has reached its --target-exact-match (") &&
                            Catch::Contains("nothing to train. Give a higher --target-exact-match (or 0: none)"));
  CHECK(bytes("metrics.jsonl") == metrics);
}

TEST_CASE("seq2seq resume: changing the model on --resume is refused, naming the flag") {
  TempDir dir;
  run(tiny_options(dir.path("run"), 2));
  TrainOptions again = tiny_options("", 4);
  again.resume = dir.path("run");
  again.model.d_model = 64;
  REQUIRE_THROWS_WITH(run(again, [](const std::string& flag) { return flag == "--d-model"; }),
                      Catch::Contains("--d-model was 32 in the saved run but 64 now"));
}

TEST_CASE("seq2seq train: a fresh run refuses a non-empty --out unless --force") {
  TempDir dir;
  std::ofstream(dir.path("notes.txt")) << "mine";
  REQUIRE_THROWS_WITH(run(tiny_options(dir.path(""), 1)), Catch::Contains("is not empty"));
  TrainOptions forced = tiny_options(dir.path(""), 1);
  forced.force = true;
  run(forced);
  CHECK(fs::exists(dir.path("notes.txt")));  // --force deletes only what seq2seq wrote
}

TEST_CASE("seq2seq checkpoint: truncated, corrupted and mismatched files are refused with a message") {
  TempDir dir;
  const std::string run_dir = trained_run();
  fs::copy(run_dir, dir.path("run"));
  const std::string checkpoint = dir.path("run/") + kCheckpointFile;
  const auto size = fs::file_size(checkpoint);

  fs::resize_file(checkpoint, size / 2);
  REQUIRE_THROWS_AS(read_checkpoint(dir.path("run")), ag::Error);

  fs::copy_file(fs::path(run_dir) / kCheckpointFile, checkpoint, fs::copy_options::overwrite_existing);
  {
    std::fstream f(checkpoint, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(12);
    f.write("\x01\x02\x03\x04", 4);  // inside the JSON header
  }
  REQUIRE_THROWS_AS(read_checkpoint(dir.path("run")), ag::Error);

  // Weights of one shape under metadata that describes another: a checkpoint from another model.
  LoadedModel loaded = load_model(run_dir);
  ModelConfig other = loaded.model->config;
  other.d_model = 16;
  Seq2Seq small(other);
  ag::save_safetensors(dir.path("mixed.safetensors"), small->state_dict(),
                       ag::load_safetensors(loaded.path).metadata);
  REQUIRE_THROWS_WITH(load_model(dir.path("mixed.safetensors")), Catch::Contains("do not fit"));

  ag::save_safetensors(dir.path("foreign.safetensors"), small->state_dict());
  REQUIRE_THROWS_WITH(load_model(dir.path("foreign.safetensors")), Catch::Contains("not a file written by seq2seq"));
  REQUIRE_THROWS_WITH(load_model(dir.path("missing")), Catch::Contains("does not exist"));
}

TEST_CASE("seq2seq search: beam search with one beam decodes exactly as greedy search") {
  LoadedModel loaded = load_model(trained_run());
  auto [src, padding] = some_sources(loaded, 7);
  SearchOptions options;
  options.max_len = 16;
  const auto greedy = greedy_search(*loaded.model, src, padding, options);
  CHECK(beam_search(*loaded.model, src, padding, options) == greedy);
  options.length_penalty = 0.0;
  CHECK(beam_search(*loaded.model, src, padding, options) == greedy);
  options.beam_size = 4;
  CHECK(beam_search(*loaded.model, src, padding, options).size() == greedy.size());
}

TEST_CASE("seq2seq search: cached incremental decoding gives the tokens of recomputing every prefix") {
  LoadedModel loaded = load_model(trained_run());
  auto [src, padding] = some_sources(loaded, 7);
  for (int64_t beam : {1, 3}) {
    SearchOptions cached;
    cached.beam_size = beam;
    cached.max_len = 14;
    SearchOptions recomputed = cached;
    recomputed.incremental = false;
    CHECK(translate_batch(*loaded.model, src, padding, cached) == translate_batch(*loaded.model, src, padding, recomputed));
  }
}

TEST_CASE("seq2seq options: contradictory flags") {
  TrainOptions o;
  o.data.src = "train.de";
  CHECK_THROWS_WITH(finish_train_options(o, kNoFlags), Catch::Contains("--src and --tgt"));
}
