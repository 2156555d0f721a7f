// What a run directory holds on disk, and how it is written and read back.
//
//   model.safetensors       the latest weights, under PyTorch's parameter names
//   best.safetensors        the weights with the best validation score so far
//   checkpoint.safetensors  everything to continue training exactly: weights ("model.*"), Adam's
//                           moments ("optimizer.*"), the schedule ("schedule.*"), the per-step loss
//                           history, and in the metadata the settings, vocabularies, step, data
//                           loader position and random generator state
//   src.spm.model, tgt.spm.model   SentencePiece models, when the run uses them
//   metrics.jsonl, loss.svg, attention.svg   reports (ag/train/metrics_log.h, ag/train/plot.h)
//
// The run directory's rules and the checkpoint's layout are the training kit's (ag/train/run_dir.h,
// ag/train/checkpoint.h); this file adds what is seq2seq's own: the model's shape and the two
// vocabularies. Every file is written atomically (temporary file, fsync, rename;
// ag::save_safetensors), so a crash or kill at any moment leaves the previous version intact.
// Every weights file also carries the model's shape and both vocabularies in its metadata, so it
// translates on its own.
// Loading refuses a truncated or corrupted file (ag::load_safetensors checks every byte range), a
// file that is not a seq2seq checkpoint, and weights that do not fit the model the metadata
// describes, each with a message naming the file and the problem.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ag/core/serialize.h"
#include "ag/optim/lr_scheduler.h"
#include "ag/optim/optimizer.h"
#include "ag/train/checkpoint.h"
#include "ag/train/run_dir.h"
#include "language.h"
#include "model.h"
#include "options.h"

namespace seq2seq {

inline constexpr const char* kModelFile = "model.safetensors";
inline constexpr const char* kBestFile = "best.safetensors";
inline constexpr const char* kCheckpointFile = "checkpoint.safetensors";

// The files of a run directory, for the kit's rules (a fresh run, --force, --resume).
const ag::train::RunFiles& run_files();

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

// Where training stands: the kit's state (step, time, loader position, the loss of every step) and
// seq2seq's validation bookkeeping, saved in the kit's `extra`.
struct TrainingState : ag::train::TrainState {
  double best_score = -1;  // of the best validation so far (see trainer.cpp)
  int64_t best_step = -1;
  int64_t last_eval_step = -1;
  // Of the last validation: a run that stopped on reaching --target-exact-match has ended, also
  // when resumed (checkpoints from before it was kept read 0).
  double last_exact_match = 0;
};

void save_checkpoint(const std::string& path, const TrainOptions& options, const Language& src, const Language& tgt,
                     Seq2SeqImpl& model, ag::optim::Optimizer& optimizer, ag::optim::LRScheduler& schedule,
                     const TrainingState& state);

// A training checkpoint read from disk, before the model it describes exists.
struct SavedCheckpoint {
  ag::train::Checkpoint checkpoint;
  TrainOptions options;
  Language src, tgt;
  TrainingState state;
};
// Reads `run_dir`/checkpoint.safetensors and its settings and vocabularies (RunDir::resume has
// checked that it is there).
SavedCheckpoint read_checkpoint(const std::string& run_dir);
// Copies the saved weights, optimizer and schedule into objects built from saved.options.
void restore_checkpoint(const SavedCheckpoint& saved, Seq2SeqImpl& model, ag::optim::Optimizer& optimizer,
                        ag::optim::LRScheduler& schedule);

}  // namespace seq2seq
