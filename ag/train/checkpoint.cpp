// Writing and reading training checkpoints (layout in checkpoint.h).
#include "ag/train/checkpoint.h"

#include <filesystem>

#include "ag/core/factory.h"
#include "ag/core/generator.h"
#include "ag/core/json_number.h"
#include "ag/optim/state_dict.h"

namespace ag::train {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The keys of the "state" object the kit owns; the rest are the program's `extra`.
const std::vector<std::string> kStateKeys = {"step", "elapsed_s", "loader", "generator_state"};

}  // namespace

void save_file(const std::string& path, const FileFormat& format, const TensorMap& tensors, Metadata metadata) {
  AG_CHECK(metadata.emplace("format", format.id).second, "save_file {}: the metadata field 'format' is the kit's own; "
           "name yours differently", path);
  save_safetensors(path, tensors, metadata);
}

SavedFile SavedFile::open(const std::string& path, const FileFormat& format) {
  SavedFile file;
  file.path_ = path;
  file.format_ = format;
  file.file_ = load_safetensors(path);
  const std::string& id = file.field("format");
  AG_CHECK(id == format.id, "{} is in format '{}' but this {} reads '{}'", path, id, format.program, format.id);
  return file;
}

const std::string& SavedFile::field(const std::string& key) const {
  auto it = file_.metadata.find(key);
  AG_CHECK(it != file_.metadata.end(), "{} has no '{}' in its metadata; it is not a file written by {} (or by an "
           "incompatible version)", path_, key, format_.program);
  return it->second;
}

json SavedFile::json_field(const std::string& key) const {
  try {
    return json::parse(field(key));
  } catch (const json::exception& e) {
    throw Error(fmt::format("{}: the metadata field '{}' is not valid JSON ({}); the file is damaged", path_, key,
                            e.what()));
  }
}

void save_checkpoint(const std::string& path, const FileFormat& format, const Trainables& parts,
                     const TrainState& state, const json& options, const Metadata& metadata) {
  AG_CHECK(static_cast<int64_t>(state.train_losses.size()) == state.step,
           "save_checkpoint: the state is at step {} but holds {} training losses; record one per step", state.step,
           state.train_losses.size());
  TensorMap tensors = optim::add_prefix(parts.model.state_dict(), "model.");
  tensors.merge(optim::add_prefix(parts.optimizer.state_dict(), "optimizer."));
  if (parts.schedule) tensors.merge(optim::add_prefix(parts.schedule->state_dict(), "schedule."));
  tensors["history.train_loss"] = from_vector(state.train_losses, {state.step});

  AG_CHECK(state.extra.is_object(), "save_checkpoint: TrainState::extra must be a JSON object, got {}",
           state.extra.dump());
  for (const auto& key : kStateKeys)
    AG_CHECK(!state.extra.contains(key), "save_checkpoint: TrainState::extra may not hold '{}', the kit's own", key);
  json saved_state = state.extra;
  saved_state.update(json{{"step", state.step},
                          {"elapsed_s", state.elapsed_s},
                          {"loader", state.loader},
                          {"generator_state", default_generator().state()}});
  Metadata all = metadata;
  for (const auto& [key, value] : Metadata{{"options", options.dump()}, {"state", saved_state.dump()}})
    AG_CHECK(all.emplace(key, value).second, "save_checkpoint: the metadata field '{}' is the kit's own; name "
             "yours differently", key);
  save_file(path, format, tensors, std::move(all));
}

Checkpoint Checkpoint::load(const std::string& path, const FileFormat& format) {
  Checkpoint saved(SavedFile::open(path, format));
  json state = saved.file_.json_field("state");
  try {
    saved.state_.step = json_integer(state.at("step"), "the step", 0);
    state.at("elapsed_s").get_to(saved.state_.elapsed_s);
    state.at("loader").get_to(saved.state_.loader);
    state.at("generator_state").get_to(saved.generator_state_);
  } catch (const json::exception& e) {
    throw Error(fmt::format("{}: the training state is incomplete ({}); the file is damaged", path, e.what()));
  } catch (const Error& e) {
    throw Error(fmt::format("{}: the training state is damaged: {}", path, e.what()));
  }
  for (const auto& key : kStateKeys) state.erase(key);
  saved.state_.extra = std::move(state);
  auto history = saved.file_.tensors().find("history.train_loss");
  AG_CHECK(history != saved.file_.tensors().end() && history->second.dtype() == kFloat64 &&
               history->second.numel() == saved.state_.step,
           "{}: the loss history is missing or does not have one entry per step; the file is damaged", path);
  saved.state_.train_losses = history->second.to_vector<double>();
  return saved;
}

void Checkpoint::restore(const Trainables& parts) const {
  const TensorMap& tensors = file_.tensors();
  try {
    parts.model.load_state_dict(optim::strip_prefix(tensors, "model."));
    parts.optimizer.load_state_dict(optim::strip_prefix(tensors, "optimizer."));
    if (parts.schedule) parts.schedule->load_state_dict(optim::strip_prefix(tensors, "schedule."));
  } catch (const Error& e) {
    throw Error(fmt::format("{} does not fit the run its settings describe: {}",
                            fs::path(file_.path()).filename().string(), e.what()));
  }
  default_generator().set_state(generator_state_);
}

}  // namespace ag::train
