// Writing and reading weights files and training checkpoints (layout in checkpoint.h).
#include "checkpoint.h"

#include <filesystem>

#include "ag/core/json_number.h"

namespace seq2seq {

namespace fs = std::filesystem;
using ag::Tensor;
using nlohmann::json;

namespace {

// Bumped whenever the layout changes, so an old file is refused by name rather than misread.
const ag::train::FileFormat kFormat{"ag-seq2seq-1", "seq2seq"};

ag::Metadata describe(const Seq2SeqImpl& model, const Language& src, const Language& tgt) {
  return {{"model", to_json(model.config).dump()},
          {"src", to_json(src).dump()},
          {"tgt", to_json(tgt).dump()}};
}

// Builds the model the metadata describes and loads the weights into it; a mismatch (a file from
// another model, edited by hand, or a wrong key) names every bad key.
Seq2Seq build_and_load(const ModelConfig& config, const ag::TensorMap& weights, const std::string& path) {
  Seq2Seq model(config);
  try {
    model->load_state_dict(weights);
  } catch (const ag::Error& e) {
    throw ag::Error(fmt::format("{}: the weights do not fit the model its metadata describes: {}", path, e.what()));
  }
  return model;
}

// The vocabulary sizes of a saved model description (JSON of ModelConfig), which must be those of
// the vocabularies saved beside it; read as integers, never cast from a float such as 2.0e19.
void check_vocab_sizes(const json& model, const Language& src, const Language& tgt) {
  AG_CHECK(model.is_object(), "the model description must be a JSON object, got {}", model.dump());
  for (const auto& [key, language] : {std::pair{"src_vocab_size", &src}, std::pair{"tgt_vocab_size", &tgt}}) {
    const auto size = static_cast<int64_t>(language->vocab.size());
    AG_CHECK(model.contains(key), "the model description has no '{}'", key);
    ag::json_integer(model[key], fmt::format("{} (the size of the vocabulary saved with it)", key), size, size);
  }
}

// The model a weights file describes, each size held to its flag's range before anything is built
// (`encoder_layers: 100000` would otherwise build layers until memory ran out).
ModelConfig model_config(const ag::train::SavedFile& file, const Language& src, const Language& tgt) {
  const json model = file.json_field("model");
  try {
    check_vocab_sizes(model, src, tgt);
    // The ranges are the flags' own (options.h), which check the JSON of a whole TrainOptions.
    json options = to_json(TrainOptions{});
    options["model"] = model;
    return train_options_from_json(options).model;
  } catch (const ag::Error& e) {
    throw ag::Error(fmt::format("{}: the model description is damaged: {}", file.path(), e.what()));
  }
}

// One side's tokenizer and vocabulary, saved under `key` ("src" or "tgt"); an error names the file.
Language read_language(const ag::train::SavedFile& file, const std::string& key, const std::string& run_dir) {
  const json saved = file.json_field(key);
  try {
    return language_from_json(saved, run_dir);
  } catch (const ag::Error& e) {
    throw ag::Error(fmt::format("{}: {}", file.path(), e.what()));
  }
}

}  // namespace

const ag::train::RunFiles& run_files() {
  static const ag::train::RunFiles files{
      .program = "seq2seq train",
      .checkpoint = kCheckpointFile,
      .outputs = {kModelFile, kBestFile, "metrics.jsonl", "loss.svg", "attention.svg", "src.spm.model",
                  "tgt.spm.model"}};
  return files;
}

void save_model(const std::string& path, const Seq2SeqImpl& model, const Language& src, const Language& tgt,
                const json& info) {
  ag::Metadata metadata = describe(model, src, tgt);
  metadata["info"] = info.dump();
  ag::train::save_file(path, kFormat, model.state_dict(), std::move(metadata));
}

LoadedModel load_model(const std::string& path) {
  std::string file_path = path;
  if (fs::is_directory(path)) {
    file_path = (fs::path(path) / kBestFile).string();
    if (!fs::exists(file_path)) file_path = (fs::path(path) / kModelFile).string();
    AG_CHECK(fs::exists(file_path), "{} holds neither {} nor {}; is it the --out directory of `seq2seq train`?", path,
             kBestFile, kModelFile);
  }
  AG_CHECK(fs::exists(file_path), "checkpoint {} does not exist", file_path);
  const ag::train::SavedFile file = ag::train::SavedFile::open(file_path, kFormat);
  const std::string run_dir = fs::path(file_path).parent_path().string();
  LoadedModel loaded;
  loaded.path = file_path;
  loaded.src = read_language(file, "src", run_dir);
  loaded.tgt = read_language(file, "tgt", run_dir);
  loaded.info = file.json_field("info");
  loaded.model = build_and_load(model_config(file, loaded.src, loaded.tgt), file.tensors(), file_path);
  loaded.model->eval();
  return loaded;
}

void save_checkpoint(const std::string& path, const TrainOptions& options, const Language& src, const Language& tgt,
                     Seq2SeqImpl& model, ag::optim::Optimizer& optimizer, ag::optim::LRScheduler& schedule,
                     const TrainingState& state) {
  ag::train::TrainState saved = state;
  saved.extra = {{"best_score", state.best_score}, {"best_step", state.best_step},
                 {"last_eval_step", state.last_eval_step}, {"last_exact_match", state.last_exact_match}};
  ag::train::save_checkpoint(path, kFormat, {model, optimizer, &schedule}, saved, to_json(options),
                             describe(model, src, tgt));
}

SavedCheckpoint read_checkpoint(const std::string& run_dir) {
  const std::string path = (fs::path(run_dir) / kCheckpointFile).string();
  ag::train::Checkpoint checkpoint = ag::train::Checkpoint::load(path, kFormat);
  TrainingState state;
  static_cast<ag::train::TrainState&>(state) = checkpoint.state();
  try {
    state.extra.at("best_score").get_to(state.best_score);
    state.best_step = ag::json_integer(state.extra.at("best_step"), "best_step", -1);
    state.last_eval_step = ag::json_integer(state.extra.at("last_eval_step"), "last_eval_step", -1);
    if (state.extra.contains("last_exact_match"))
      state.last_exact_match = ag::json_number(state.extra.at("last_exact_match"), "last_exact_match", 0, 1);
  } catch (const json::exception& e) {
    throw ag::Error(fmt::format("{}: the training state is incomplete ({}); the file is damaged", path, e.what()));
  } catch (const ag::Error& e) {
    throw ag::Error(fmt::format("{}: the training state is damaged: {}", path, e.what()));
  }
  const ag::train::SavedFile& file = checkpoint.file();
  Language src = read_language(file, "src", run_dir);
  Language tgt = read_language(file, "tgt", run_dir);
  TrainOptions options;
  try {
    const json saved = checkpoint.options();
    AG_CHECK(saved.contains("model"), "there is no model description");
    check_vocab_sizes(saved["model"], src, tgt);
    options = train_options_from_json(saved);
  } catch (const ag::Error& e) {
    throw ag::Error(fmt::format("{}: the saved training settings: {}", path, e.what()));
  }
  return SavedCheckpoint{.checkpoint = checkpoint,
                         .options = std::move(options),
                         .src = std::move(src),
                         .tgt = std::move(tgt),
                         .state = std::move(state)};
}

void restore_checkpoint(const SavedCheckpoint& saved, Seq2SeqImpl& model, ag::optim::Optimizer& optimizer,
                        ag::optim::LRScheduler& schedule) {
  saved.checkpoint.restore({model, optimizer, &schedule});
}

}  // namespace seq2seq
