// What a run directory holds on disk, and how it is written and read back.
//
//   model.safetensors       the latest weights, under PyTorch's parameter names
//   best.safetensors        the weights with the best validation score so far
//   checkpoint.safetensors  everything to continue training exactly: weights ("model.*"), Adam's
//                           moments ("optimizer.*"), the schedule ("schedule.*"), the per-step loss
//                           history, and in the metadata the settings, vocabularies, step, data
//                           loader position and random generator state
//   src.spm.model, tgt.spm.model   SentencePiece models, when the run uses them
//   metrics.jsonl, loss.svg, attention.svg   reports (see report.h)
//
// Every file is written atomically (temporary file, fsync, rename; ag::save_safetensors), so a
// crash or kill at any moment leaves the previous version intact. Every weights file also carries
// the model's shape and both vocabularies in its metadata, so it translates on its own.
// Loading refuses a truncated or corrupted file (ag::load_safetensors checks every byte range), a
// file that is not a seq2seq checkpoint, and weights that do not fit the model the metadata
// describes, each with a message naming the file and the problem.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ag/core/serialize.h"
#include "ag/data/data_loader.h"
#include "language.h"
#include "model.h"
#include "ag/optim/lr_scheduler.h"
#include "ag/optim/optimizer.h"
#include "options.h"

namespace seq2seq {

inline constexpr const char* kModelFile = "model.safetensors";
inline constexpr const char* kBestFile = "best.safetensors";
inline constexpr const char* kCheckpointFile = "checkpoint.safetensors";

// Makes `dir` ready for a fresh run: creates it, or checks that it holds no earlier run. With
// `force`, deletes the files an earlier run wrote there (and only those).
void prepare_fresh_run_dir(const std::string& dir, bool force);

// The weights of `model` with what translating needs to know about them; `info` (step, scores) is
// kept as JSON for the curious.
void save_model(const std::string& path, const Seq2SeqImpl& model, const Language& src, const Language& tgt,
                const nlohmann::json& info);

struct LoadedModel {
  Seq2Seq model{nullptr};
  Language src, tgt;
  nlohmann::json info;
  std::string path;  // the file actually read
};
// `path` is a weights file, or a run directory (its best.safetensors, else its model.safetensors).
LoadedModel load_model(const std::string& path);

// Where training stands, beyond what the model, optimizer and schedule hold.
struct TrainingState {
  int64_t step = 0;                  // optimizer steps taken
  ag::data::LoaderPosition loader;   // the next batch
  std::string generator_state;       // ag's global generator (dropout masks)
  double elapsed_s = 0;              // training time so far, over all sessions
  std::vector<double> train_losses;  // the mean training loss of every step
  double best_score = -1;            // of the best validation so far (see trainer.cpp)
  int64_t best_step = -1;
  int64_t last_eval_step = -1;
};
// Everything but train_losses, which a checkpoint stores as a tensor.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TrainingState, step, loader, generator_state, elapsed_s, best_score, best_step,
                                   last_eval_step)

void save_checkpoint(const std::string& path, const TrainOptions& options, const Language& src, const Language& tgt,
                     const Seq2SeqImpl& model, const ag::optim::Optimizer& optimizer,
                     const ag::optim::LRScheduler& schedule, const TrainingState& state);

// A training checkpoint read from disk, before the model it describes exists.
struct SavedCheckpoint {
  ag::SafetensorsFile file;
  TrainOptions options;
  Language src, tgt;
  TrainingState state;
};
// Reads `run_dir`/checkpoint.safetensors and its settings and vocabularies.
SavedCheckpoint read_checkpoint(const std::string& run_dir);
// Copies the saved weights, optimizer and schedule into objects built from saved.options.
void restore_checkpoint(const SavedCheckpoint& saved, Seq2SeqImpl& model, ag::optim::Optimizer& optimizer,
                        ag::optim::LRScheduler& schedule);

}  // namespace seq2seq
