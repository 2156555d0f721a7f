// Writing and reading weights files and training checkpoints (layout in checkpoint.h).
#include "checkpoint.h"

#include <filesystem>

#include "ag/core/factory.h"
#include "ag/core/generator.h"
#include "ag/optim/state_dict.h"

namespace seq2seq {

namespace fs = std::filesystem;
using ag::Tensor;
using nlohmann::json;

namespace {

// Bumped whenever the layout changes, so an old file is refused by name rather than misread.
constexpr const char* kFormat = "ag-seq2seq-1";

ag::Metadata describe(const Seq2SeqImpl& model, const Language& src, const Language& tgt) {
  return {{"format", kFormat},
          {"model", json(model.config).dump()},
          {"src", to_json(src).dump()},
          {"tgt", to_json(tgt).dump()}};
}

const std::string& metadata_field(const ag::SafetensorsFile& file, const std::string& key, const std::string& path) {
  auto it = file.metadata.find(key);
  AG_CHECK(it != file.metadata.end(), "{} has no '{}' in its metadata; it is not a file written by seq2seq (or by an "
           "incompatible version)", path, key);
  return it->second;
}

json parse_field(const ag::SafetensorsFile& file, const std::string& key, const std::string& path) {
  try {
    return json::parse(metadata_field(file, key, path));
  } catch (const json::exception& e) {
    throw ag::Error(fmt::format("{}: the metadata field '{}' is not valid JSON ({}); the file is damaged", path, key,
                                e.what()));
  }
}

void check_format(const ag::SafetensorsFile& file, const std::string& path) {
  const std::string& format = metadata_field(file, "format", path);
  AG_CHECK(format == kFormat, "{} is in format '{}' but this seq2seq reads '{}'", path, format, kFormat);
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

ModelConfig model_config(const ag::SafetensorsFile& file, const std::string& path) {
  try {
    return parse_field(file, "model", path).get<ModelConfig>();
  } catch (const json::exception& e) {
    throw ag::Error(fmt::format("{}: the model description is incomplete ({})", path, e.what()));
  }
}

}  // namespace

void prepare_fresh_run_dir(const std::string& dir, bool force) {
  fs::create_directories(dir);
  const std::vector<std::string> ours = {kModelFile,      kBestFile,    kCheckpointFile,  "metrics.jsonl",
                                         "loss.svg",      "attention.svg", "src.spm.model", "tgt.spm.model"};
  std::vector<std::string> present;
  for (const auto& entry : fs::directory_iterator(dir)) present.push_back(entry.path().filename().string());
  if (present.empty()) return;
  AG_CHECK(force, "--out {} is not empty (it holds {}{}); continue that run with --resume {}, choose another --out, or "
           "add --force to start over (deleting the files an earlier run wrote there)",
           dir, present.front(), present.size() > 1 ? fmt::format(" and {} more", present.size() - 1) : "", dir);
  for (const auto& name : ours) fs::remove(fs::path(dir) / name);
}

void save_model(const std::string& path, const Seq2SeqImpl& model, const Language& src, const Language& tgt,
                const json& info) {
  ag::Metadata metadata = describe(model, src, tgt);
  metadata["info"] = info.dump();
  ag::save_safetensors(path, model.state_dict(), metadata);
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
  const ag::SafetensorsFile file = ag::load_safetensors(file_path);
  check_format(file, file_path);
  const std::string run_dir = fs::path(file_path).parent_path().string();
  LoadedModel loaded;
  loaded.path = file_path;
  loaded.src = language_from_json(parse_field(file, "src", file_path), run_dir);
  loaded.tgt = language_from_json(parse_field(file, "tgt", file_path), run_dir);
  loaded.info = parse_field(file, "info", file_path);
  loaded.model = build_and_load(model_config(file, file_path), file.tensors, file_path);
  loaded.model->eval();
  return loaded;
}

void save_checkpoint(const std::string& path, const TrainOptions& options, const Language& src, const Language& tgt,
                     const Seq2SeqImpl& model, const ag::optim::Optimizer& optimizer,
                     const ag::optim::LRScheduler& schedule, const TrainingState& state) {
  ag::TensorMap tensors = ag::optim::add_prefix(model.state_dict(), "model.");
  tensors.merge(ag::optim::add_prefix(optimizer.state_dict(), "optimizer."));
  tensors.merge(ag::optim::add_prefix(schedule.state_dict(), "schedule."));
  const auto steps = static_cast<int64_t>(state.train_losses.size());
  tensors["history.train_loss"] = ag::from_vector(state.train_losses, {steps});
  ag::Metadata metadata = describe(model, src, tgt);
  metadata["options"] = to_json(options).dump();
  metadata["state"] = json(state).dump();  // the loss history goes in as a tensor instead
  ag::save_safetensors(path, tensors, metadata);
}

SavedCheckpoint read_checkpoint(const std::string& run_dir) {
  const std::string path = (fs::path(run_dir) / kCheckpointFile).string();
  AG_CHECK(fs::exists(path), "--resume {}: there is no {} in it; is it the --out directory of `seq2seq train`?",
           run_dir, kCheckpointFile);
  SavedCheckpoint saved;
  saved.file = ag::load_safetensors(path);
  check_format(saved.file, path);
  saved.options = train_options_from_json(parse_field(saved.file, "options", path));
  saved.src = language_from_json(parse_field(saved.file, "src", path), run_dir);
  saved.tgt = language_from_json(parse_field(saved.file, "tgt", path), run_dir);
  try {
    saved.state = parse_field(saved.file, "state", path).get<TrainingState>();
  } catch (const json::exception& e) {
    throw ag::Error(fmt::format("{}: the training state is incomplete ({}); the file is damaged", path, e.what()));
  }
  auto history = saved.file.tensors.find("history.train_loss");
  AG_CHECK(history != saved.file.tensors.end() && history->second.dtype() == ag::kFloat64 &&
               history->second.numel() == saved.state.step,
           "{}: the loss history is missing or does not have one entry per step; the file is damaged", path);
  saved.state.train_losses = history->second.to_vector<double>();
  return saved;
}

void restore_checkpoint(const SavedCheckpoint& saved, Seq2SeqImpl& model, ag::optim::Optimizer& optimizer,
                        ag::optim::LRScheduler& schedule) {
  const ag::TensorMap& tensors = saved.file.tensors;
  try {
    model.load_state_dict(ag::optim::strip_prefix(tensors, "model."));
    optimizer.load_state_dict(ag::optim::strip_prefix(tensors, "optimizer."));
    schedule.load_state_dict(ag::optim::strip_prefix(tensors, "schedule."));
  } catch (const ag::Error& e) {
    throw ag::Error(fmt::format("{} does not fit the run its settings describe: {}", kCheckpointFile, e.what()));
  }
  ag::default_generator().set_state(saved.state.generator_state);
}

}  // namespace seq2seq
