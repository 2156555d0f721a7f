// Checkpoints that resume a run exactly, in one safetensors file:
//
//   tensors   "model.*"             the module's state_dict
//             "optimizer.*"         the optimizer's state_dict (Adam's moments, step counts, lrs)
//             "schedule.*"          the learning-rate schedule's state_dict (when there is one)
//             "history.train_loss"  float64 (steps): the training loss of every step
//   metadata  "format"              the program's name for this layout (FileFormat::id)
//             "options"             the program's settings, as JSON, to resume with the same ones
//             "state"               JSON: step, elapsed_s, the data loader's position, ag's global
//                                   random generator (dropout masks, sampling), and the program's
//                                   own counters (`extra`)
//             ...                   anything else the program adds (vocabularies, a model config)
//
// With the same thread count, a run restored from it takes bit for bit the steps the uninterrupted
// run would have taken. The file is written atomically (ag::save_safetensors): a crash or kill at
// any moment leaves the previous checkpoint intact. Loading refuses a truncated or corrupted file, a
// file of another format, and state that does not fit, each with a message naming the file and key.
//
//   ag::train::save_checkpoint(run.file("checkpoint.safetensors"), kFormat, {*model, optimizer, &schedule},
//                              state, options_json);
//   ...
//   auto saved = ag::train::Checkpoint::load(run.file("checkpoint.safetensors"), kFormat);
//   saved.restore({*model, optimizer, &schedule});   // also the global generator
//   loader.restore(saved.state().loader);
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ag/core/error.h"
#include "ag/core/serialize.h"
#include "ag/data/data_loader.h"
#include "ag/nn/module.h"
#include "ag/optim/lr_scheduler.h"
#include "ag/optim/optimizer.h"

namespace ag::train {

// Names a program's file layout, so a file of another program or version is refused by name.
struct FileFormat {
  std::string id;       // written as the metadata "format", e.g. "ag-seq2seq-1"; change it when the layout does
  std::string program;  // who writes it, for messages: "seq2seq"
};

// Writes `tensors` to `path` atomically with `metadata` and the format's id (under "format"): a
// program's own files, such as weights to use after training, read back with SavedFile::open.
void save_file(const std::string& path, const FileFormat& format, const TensorMap& tensors, Metadata metadata = {});

// A safetensors file written in a FileFormat, opened with the format checked. Every read of its
// metadata names the file and the key when something is missing or damaged.
class SavedFile {
 public:
  static SavedFile open(const std::string& path, const FileFormat& format);

  const std::string& path() const { return path_; }
  const TensorMap& tensors() const { return file_.tensors; }
  // The metadata field `key` as text, or parsed as JSON.
  const std::string& field(const std::string& key) const;
  nlohmann::json json_field(const std::string& key) const;

 private:
  SavedFile() = default;

  std::string path_;
  FileFormat format_;
  SafetensorsFile file_;
};

// Where training stands, beyond what the module, optimizer and schedule hold.
struct TrainState {
  int64_t step = 0;                  // optimizer steps taken
  double elapsed_s = 0;              // training time so far, over all sessions (see Stopwatch)
  data::LoaderPosition loader;       // the next batch (DataLoader::position()); leave it if there is none
  std::vector<double> train_losses;  // the training loss of every step: one entry per step
  nlohmann::json extra = nlohmann::json::object();  // the program's own counters (best score...)
};

// The live objects a checkpoint saves and restores; the schedule is optional.
struct Trainables {
  nn::Module& model;
  optim::Optimizer& optimizer;
  optim::LRScheduler* schedule = nullptr;
};

// Writes the checkpoint (layout above) atomically. `options` are the program's settings; `metadata`
// adds fields of the program's own (they may not use the kit's names).
void save_checkpoint(const std::string& path, const FileFormat& format, const Trainables& parts,
                     const TrainState& state, const nlohmann::json& options, const Metadata& metadata = {});

// A checkpoint read from disk, before the objects it restores exist (their settings are in it).
class Checkpoint {
 public:
  static Checkpoint load(const std::string& path, const FileFormat& format);

  const SavedFile& file() const { return file_; }
  const TrainState& state() const { return state_; }
  nlohmann::json options() const { return file_.json_field("options"); }
  // The options as the program's own settings type (read by its from_json); when they do not fit
  // it (a checkpoint of another version, or edited by hand), an ag::Error naming the file and
  // `program`, e.g. "gpt train".
  template <typename Options>
  Options options_as(const std::string& program) const {
    try {
      return options().get<Options>();
    } catch (const nlohmann::json::exception& e) {
      throw options_misfit(program, e);
    }
  }
  // options_as, then held to the same ranges as the flags (Options::validate()), so that a damaged
  // or hand-edited checkpoint is refused before anything is built from its settings. An ag::Error
  // from reading them (a number out of range) or from validate() names the file.
  template <typename Options>
  Options validated_options_as(const std::string& program) const {
    try {
      Options settings = options().get<Options>();
      settings.validate();
      return settings;
    } catch (const nlohmann::json::exception& e) {
      throw options_misfit(program, e);
    } catch (const Error& e) {
      throw Error(fmt::format("{}: the saved options are damaged: {}", file_.path(), e.what()));
    }
  }
  // Copies the saved weights, optimizer state and schedule into `parts` (made with the saved
  // options) and sets ag's global generator to where it was; an error names what does not fit.
  void restore(const Trainables& parts) const;

 private:
  explicit Checkpoint(SavedFile file) : file_(std::move(file)) {}
  Error options_misfit(const std::string& program, const std::exception& e) const {
    return Error(fmt::format("{}: the saved options do not fit {} ({})", file_.path(), program, e.what()));
  }

  SavedFile file_;
  TrainState state_;
  std::string generator_state_;
};

}  // namespace ag::train
