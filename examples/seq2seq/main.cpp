// seq2seq: train a Transformer translation model, translate with it, and score it.
//
//   seq2seq train                                   # the built-in date task, out of the box
//   seq2seq translate -m runs/dates "21st of November 2026" "Nov 3, 99"
//   seq2seq train --src train.de.gz --tgt train.en.gz --valid-src val.de.gz --valid-tgt val.en.gz --out runs/de-en
//   seq2seq eval -m runs/de-en --src test.de.gz --ref test.en.gz
//   mpirun -np 2 seq2seq train                      # data parallel on two processes
//
// See README.md beside this file for every flag and the Multi30k recipe.
#include <iostream>
#include <optional>
#include <sstream>

#include "ag/core/error.h"
#include "ag/distributed/process_group.h"
#include "commands.h"
#include "examples/common/subcommands.h"
#include "trainer.h"

int main(int argc, char** argv) {
  examples::Subcommands program("seq2seq", "Train, run and score Transformer translation models (ag's seq2seq "
                                "example).");
  seq2seq::TrainOptions train_options;
  CLI::App* train = nullptr;
  const auto run_train = [&] {
    const auto was_given = [train](const std::string& flag) { return train->count(flag) > 0; };
    const auto result = seq2seq::train(train_options, was_given, std::cerr, examples::stderr_is_terminal());
    return result.interrupted ? ag::train::kInterruptedExitCode : 0;
  };
  train = program.add("train", "train a model (no flags: the built-in date task)", train_options,
                      seq2seq::add_train_options, run_train);
  seq2seq::TranslateOptions translate_options;
  program.add("translate", "translate sentences, a file or standard input", translate_options,
              seq2seq::add_translate_options, [&] {
                std::ios::sync_with_stdio(false);  // lets the streaming reader see what std::cin has buffered
                seq2seq::run_translate(translate_options, std::cin, std::cout, std::cerr);
                return 0;
              });
  seq2seq::EvalOptions eval_options;
  program.add("eval", "translate a test set and print BLEU and chrF", eval_options, seq2seq::add_eval_options, [&] {
    std::ios::sync_with_stdio(false);
    seq2seq::run_eval(eval_options, std::cout, std::cerr);
    return 0;
  });
  if (const std::optional<int> done = program.parse(argc, argv)) return *done;

  // Under mpirun every process runs this main(); init() makes them ranks 0..N-1 of one job (alone,
  // a world of one).
  namespace dist = ag::distributed;
  dist::init();
  const int world = dist::world_size();
  // Everything a user can get wrong (files, flags, checkpoints) arrives here as an exception with a
  // message that says what to fix; none of it may crash. With several ranks the message also ends
  // the job: a rank that simply returned would leave the others waiting for it forever.
  std::ostringstream rank_error;
  const int code = ag::train::run_program("seq2seq", world > 1 ? rank_error : std::cerr, [&] {
    const int launched = dist::launched_world_size();
    AG_CHECK(dist::is_mpi_available() || launched == 1, "mpirun started {} processes, but this seq2seq was built "
             "without MPI (AG_MPI is OFF), so each would train alone, the same run {} times. Install Open MPI "
             "(./scripts/setup.sh), rebuild with cmake -DAG_MPI=ON, or start seq2seq without mpirun", launched, launched);
    AG_CHECK(world == 1 || train->parsed(), "translate and eval run in one process; start them without mpirun");
    return program.run_parsed();
  });
  std::string message = rank_error.str();
  if (!message.empty()) dist::abort(message.substr(0, message.find_last_not_of('\n') + 1), code);
  return code;
}
