// `seq2seq train`: a whole training run, fresh or resumed, from data to checkpoints and reports.
//
// Each step: a batch of about --batch-tokens tokens, teacher-forced forward pass, label-smoothed
// cross-entropy, backward, gradient clipping, an AdamW step and a learning-rate schedule step.
// Validation (loss, exact match, BLEU, chrF) runs at the end of every epoch (or every
// --eval-every steps) and writes a checkpoint; the best-scoring weights are kept apart. At the end:
// a loss curve, an attention heat map, sample translations and, for the built-in task, the exact
// match on its held-out test set.
//
// Resuming is exact: the checkpoint holds the weights, Adam's moments, the schedule, the data
// loader's position and the random generator, so with the same thread count a resumed run takes
// bit for bit the steps the uninterrupted run would have taken.
#pragma once
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "options.h"

namespace seq2seq {

struct TrainResult {
  std::string run_dir;
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
