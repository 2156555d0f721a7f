// `seq2seq train`: a whole training run, fresh or resumed, from data to checkpoints and reports.
//
// Each step: a batch of about --batch-tokens tokens, teacher-forced forward pass, label-smoothed
// cross-entropy, backward, gradient clipping, an AdamW step and a learning-rate schedule step.
// Validation (loss, exact match, BLEU, chrF) runs at the end of every epoch (or every
// --eval-every steps) and writes a checkpoint; the best-scoring weights are kept apart. At the end:
// a loss curve, an attention heat map, sample translations and, for the built-in task, the exact
// match on its held-out test set.
//
// Under `mpirun -np N` the run is data parallel (trainer.cpp, run_setup.h): no flag needed.
//
// Resuming is exact: the checkpoint holds the weights, Adam's moments, the schedule and the data
// loader's position, and dropout draws from a generator seeded afresh each step, so with the same
// thread count and number of ranks a resumed run takes bit for bit the steps the uninterrupted run
// would have taken.
#pragma once
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "options.h"

namespace seq2seq {

// On every rank of a data-parallel run; best_score and test_exact_match only on rank 0, the one that validates.
struct TrainResult {
  std::string run_dir;      // rank 0's
  Seq2Seq model{nullptr};   // the trained weights (the last step's, not the best)
  bool interrupted = false;
  int64_t steps = 0;
  double elapsed_s = 0;
  std::vector<double> train_losses;         // every step's, over the whole run (resumed ones included)
  double best_score = 0;                    // validation exact match (built-in task) or BLEU (corpora)
  std::optional<double> test_exact_match;  // the built-in task's held-out test set, with the best weights
};

// `was_given(flag)` tells which flags the user gave, for --resume (see merge_resume_options).
// Progress goes to `log`; `log_is_terminal` picks the in-place progress line.
TrainResult train(const TrainOptions& options, const FlagGiven& was_given,
                  std::ostream& log, bool log_is_terminal = false);

}  // namespace seq2seq
