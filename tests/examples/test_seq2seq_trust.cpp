// A seq2seq weights file or checkpoint may come from anyone, so what its metadata says is trusted
// only as far as it can be checked: the SentencePiece model it names is read from its own run
// directory only, and the model it describes is held to the flags' ranges before anything is built.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "ag/core/error.h"
#include "ag/core/serialize.h"
#include "ag/data/sentencepiece_tokenizer.h"
#include "checkpoint.h"
#include "tests/data/temp_dir.h"
#include "tests/train/edit_metadata.h"
#include "trainer.h"

using namespace seq2seq;
using ag::data::testing::TempDir;
using ag::train::testing::edit_metadata;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

json saved_language(const std::string& kind, const std::string& spm_model, const std::vector<std::string>& pieces) {
  return {{"tokenizer", kind}, {"spm_model", spm_model}, {"lowercase", false}, {"pieces", pieces}};
}

}  // namespace

TEST_CASE("seq2seq checkpoint: the SentencePiece model it names is read from its run directory only") {
  TempDir dir;
  const std::string run = dir.path("run");
  fs::create_directory(run);
  std::vector<std::string> lines;
  for (const char* word : {"the cat", "a dog", "the old teacher", "two children", "in the park", "every morning"})
    lines.push_back(std::string(word) + " walks quietly.");
  const auto spm = ag::data::SentencePieceTokenizer::train_on_lines(
      lines, run + "/src.spm", {.vocab_size = 40, .hard_vocab_limit = false});
  std::vector<std::string> pieces;
  for (size_t i = 0; i < spm.size(); ++i) pieces.push_back(spm.vocab().piece(static_cast<int64_t>(i)));

  // What a run writes, and a link to it within the directory, load.
  CHECK(language_from_json(saved_language("spm", "src.spm.model", pieces), run).encode("the cat") ==
        spm.encode_ids("the cat", spm.vocab()));
  fs::create_symlink(run + "/src.spm.model", run + "/alias.model");
  CHECK_NOTHROW(language_from_json(saved_language("spm", "alias.model", pieces), run));

  const auto refused = [&](const std::string& name) {
    INFO(name);
    try {
      language_from_json(saved_language("spm", name, pieces), run);
    } catch (const ag::Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  // Names that reach outside the run directory, or name no file in it.
  fs::copy_file(run + "/src.spm.model", dir.path("outside.model"));
  for (const std::string& name : std::vector<std::string>{"../outside.model", "../../etc/passwd", "sub/src.spm.model",
                                                          "..", ".", "", dir.path("outside.model"), "/dev/zero"})
    CHECK_THAT(refused(name), Catch::Contains("may only name a file in its own directory"));
  // A link leading out of it (to a file, or to a device that never ends).
  fs::create_symlink(dir.path("outside.model"), run + "/out.model");
  fs::create_symlink("/dev/zero", run + "/zero.model");
  for (const std::string name : {"out.model", "zero.model"})
    CHECK_THAT(refused(name), Catch::Contains("is a link that leads out of"));
  // What is not a model file: a directory, and a file larger than any model (sparse: no disk used).
  fs::create_directory(run + "/dir.model");
  CHECK_THAT(refused("dir.model"), Catch::Contains("is not a regular file"));
  std::ofstream(run + "/huge.model").close();
  fs::resize_file(run + "/huge.model", uintmax_t{300} << 20);
  CHECK_THAT(refused("huge.model"), Catch::Contains("more than any SentencePiece model"));
}

TEST_CASE("seq2seq checkpoint: the model a weights file describes is held to the flags' ranges") {
  TempDir dir;
  const std::vector<std::string> pieces = {"<pad>", "<unk>", "<bos>", "<eos>", "a", "b", "c"};
  const Language language = language_from_json(saved_language("char", "", pieces), "");
  ModelConfig config;
  config.src_vocab_size = config.tgt_vocab_size = static_cast<int64_t>(pieces.size());
  config.d_model = 8, config.nhead = 2, config.encoder_layers = 1, config.decoder_layers = 1;
  config.dim_feedforward = 16, config.max_positions = 16;
  const std::string path = dir.path("model.safetensors");
  save_model(path, *Seq2Seq(config), language, language, json::object());
  REQUIRE(load_model(path).model->config == config);

  const auto refused = [&](const std::string& key, const json& value) {
    INFO(key << " = " << value.dump());
    edit_metadata(path, dir.path("edited.safetensors"), "model", [&](json& model) { model[key] = value; });
    try {
      load_model(dir.path("edited.safetensors"));
    } catch (const ag::Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  // Each would build a model until memory ran out, or convert a float out of range (undefined).
  CHECK_THAT(refused("encoder_layers", 100000), Catch::Contains("--encoder-layers must be an integer from 1 to 256"));
  CHECK_THAT(refused("decoder_layers", 1.5), Catch::Contains("--decoder-layers must be an integer"));
  CHECK_THAT(refused("d_model", 2.0e19), Catch::Contains("--d-model must be an integer"));
  CHECK_THAT(refused("max_positions", int64_t{1} << 58), Catch::Contains("--max-positions must be an integer"));
  CHECK_THAT(refused("src_vocab_size", 2.0e19), Catch::Contains("src_vocab_size"));
  CHECK_THAT(refused("tgt_vocab_size", 8), Catch::Contains("tgt_vocab_size (the size of the vocabulary saved with it) "
                                                           "must be an integer from 7 to 7, got 8"));
  CHECK_THAT(refused("src_vocab_size", 8), Catch::Contains(dir.path("edited.safetensors")));
}

TEST_CASE("seq2seq checkpoint: the vocabulary sizes in a checkpoint's settings are integers that fit") {
  TempDir dir;
  TrainOptions o;
  o.out = dir.path("run");
  o.data.task_train = 200, o.data.task_valid = 20, o.data.task_test = 20;
  o.model.d_model = 16, o.model.nhead = 2, o.model.encoder_layers = 1, o.model.decoder_layers = 1;
  o.model.dim_feedforward = 16, o.model.max_positions = 64;
  o.schedule.max_steps = 2;
  o.threads = 1;
  std::ostringstream log;
  train(o, [](const std::string&) { return true; }, log);
  const std::string checkpoint = dir.path("run/") + kCheckpointFile;
  REQUIRE_NOTHROW(read_checkpoint(o.out));

  edit_metadata(checkpoint, checkpoint, "options", [](json& options) { options["model"]["src_vocab_size"] = 2.0e19; });
  CHECK_THROWS_WITH(read_checkpoint(o.out), Catch::Contains(checkpoint) && Catch::Contains("src_vocab_size"));
}
