// Starting `seq2seq train`, on one process or on the N ranks of `mpirun -np N seq2seq train`:
// opening the run directory (fresh or --resume), settling the settings, preparing the data.
//
// Rank 0 alone owns the run directory. It does all of the above as a single process would, then
// sends the other ranks what they cannot work out for themselves: the settings (after --resume's
// merge and the built-in task's defaults), both vocabularies, and the files they would otherwise
// read from its run directory (SentencePiece models and, on --resume, the checkpoint). So another
// machine needs the corpus at the same path, but never the run directory.
#pragma once
#include <optional>
#include <ostream>
#include <string>

#include "checkpoint.h"
#include "options.h"
#include "training_data.h"

namespace seq2seq {

struct RunSetup {
  TrainOptions options;                  // final: what the run trains with
  std::string run_dir;                   // rank 0's run directory (the other ranks never touch it)
  std::optional<SavedCheckpoint> saved;  // --resume: the checkpoint, read on every rank
  TrainingData data;
};

// Collective (every rank calls it). Also sets the thread count and seeds ag's generator. Only
// rank 0 logs; the others pass a stream that discards.
RunSetup set_up_run(const TrainOptions& given, const FlagGiven& was_given, std::ostream& log);

// Threads per process: --threads, else ag::default_num_threads() (AG_NUM_THREADS, OMP_NUM_THREADS, or
// the machine's cores shared among the ranks mpirun started on it).
int resolve_threads(int requested);

}  // namespace seq2seq
