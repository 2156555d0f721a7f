// `seq2seq train` data parallel: run by ctest alone and under `mpirun -np 2` (../CMakeLists.txt),
// each rank running every test case. A tiny model on a small date task, so each case takes seconds.
//
// The hidden cases [.write] and [.resume] are the two halves of a checkpoint that changes world
// size: ctest runs the first at one world size and the second at another, on the run directory
// named by SEQ2SEQ_RUN_DIR.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "ag/ag.h"
#include "ag/distributed/collectives.h"
#include "ag/train/interrupt.h"
#include "checkpoint.h"
#include "tests/data/temp_dir.h"
#include "tests/examples/tiny_run.h"
#include "trainer.h"

using namespace seq2seq;
using ag::data::testing::TempDir;
namespace dist = ag::distributed;
namespace fs = std::filesystem;

namespace {

// tests/examples' tiny run, into a fresh directory each time.
TrainOptions tiny_options(const std::string& out, int64_t max_steps) {
  TrainOptions o = seq2seq::testing::tiny_options(out, max_steps);
  o.force = true;
  return o;
}

const auto kAllFlags = [](const std::string&) { return true; };
const auto kMaxStepsOnly = [](const std::string& flag) { return flag == "--max-steps"; };

TrainResult run(const TrainOptions& options, const FlagGiven& given = kAllFlags) {
  std::ostringstream log;
  return train(options, given, log);
}

TrainOptions resume_options(const std::string& dir, int64_t max_steps) {
  TrainOptions o;
  o.resume = dir;
  o.schedule.max_steps = max_steps;
  return o;
}

// Every parameter of the model, flattened into one float32 vector (the state_dict's order).
ag::Tensor flat_weights(const Seq2Seq& model) {
  std::vector<ag::Tensor> parts;
  for (const auto& [name, t] : model->state_dict()) parts.push_back(t.reshape({-1}));
  return ag::cat(parts);
}

// How far this rank's weights are from rank 0's (0 on rank 0).
double distance_from_rank0(const Seq2Seq& model) {
  const ag::Tensor mine = flat_weights(model);
  ag::Tensor rank0 = mine.clone();
  dist::broadcast(rank0, 0);
  return (mine - rank0).abs().max().item();
}

double mean(const std::vector<double>& v, size_t begin, size_t end) {
  double sum = 0;
  for (size_t i = begin; i < end; ++i) sum += v[i];
  return sum / static_cast<double>(end - begin);
}

}  // namespace

TEST_CASE("seq2seq on N ranks: every rank ends with the same weights, the loss falls, only rank 0 writes",
          "[seq2seq][distributed]") {
  TempDir dir;  // each rank's own: only rank 0's may receive files
  const TrainResult result = run(tiny_options(dir.path("run"), 40));
  REQUIRE(result.steps == 40);
  REQUIRE(result.train_losses.size() == 40);
  CHECK(distance_from_rank0(result.model) == 0);  // bit for bit
  CHECK(mean(result.train_losses, 30, 40) < 0.8 * mean(result.train_losses, 0, 10));
  CHECK(fs::exists(dir.path("run")) == (dist::rank() == 0));
  if (dist::rank() == 0) {
    // What rank 0 saved is what every rank trained.
    const LoadedModel saved = load_model(dir.path("run") + "/" + kModelFile);
    CHECK((flat_weights(saved.model) - flat_weights(result.model)).abs().max().item() == 0);
    const TrainingState state = read_checkpoint(dir.path("run")).state;
    CHECK(state.loader.num_replicas == static_cast<size_t>(dist::world_size()));
    CHECK(state.train_losses == result.train_losses);
  }
}

TEST_CASE("seq2seq on N ranks: Ctrl-C on one rank stops all at the same step, and resuming is exact",
          "[seq2seq][distributed]") {
  TempDir dir;
  const TrainResult whole = run(tiny_options(dir.path("whole"), 16));

  // Only the last rank is interrupted; every rank must stop after the first step all the same.
  if (dist::rank() == dist::world_size() - 1) ag::train::InterruptGuard::request();
  const TrainResult stopped = run(tiny_options(dir.path("parts"), 16));
  CHECK(stopped.interrupted);
  CHECK(stopped.steps == 1);
  if (dist::rank() == 0) CHECK(read_checkpoint(dir.path("parts")).state.step == 1);

  const TrainResult resumed = run(resume_options(dir.path("parts"), 16), kMaxStepsOnly);
  REQUIRE(resumed.steps == 16);
  CHECK(resumed.train_losses == whole.train_losses);  // bit for bit, every step
  CHECK(distance_from_rank0(resumed.model) == 0);
  CHECK((flat_weights(resumed.model) - flat_weights(whole.model)).abs().max().item() == 0);
}

// ctest: written at one world size...
TEST_CASE("seq2seq across world sizes: write a checkpoint at step 6", "[.write]") {
  const char* dir = std::getenv("SEQ2SEQ_RUN_DIR");
  REQUIRE(dir != nullptr);
  const TrainResult result = run(tiny_options(dir, 6));
  REQUIRE(result.steps == 6);
  CHECK(distance_from_rank0(result.model) == 0);
}

// ...and continued at another. The saved position counts batches over all ranks, so after 6 steps
// on N ranks it is 6 N; M ranks continue at the first whole round of M at or after it. (The epoch
// has about 28 batches: all of this stays within the first.)
TEST_CASE("seq2seq across world sizes: resume the checkpoint to step 10", "[.resume]") {
  const char* dir = std::getenv("SEQ2SEQ_RUN_DIR");
  REQUIRE(dir != nullptr);
  const size_t m = static_cast<size_t>(dist::world_size());
  // Every rank reads it, but only after all have: rank 0 writes it again when it saves.
  const TrainingState before = read_checkpoint(dir).state;
  dist::barrier();
  REQUIRE(before.step == 6);
  REQUIRE(before.loader.num_replicas != m);  // the point of the test
  CHECK(before.loader.batch == 6 * before.loader.num_replicas);

  const TrainResult result = run(resume_options(dir, 10), kMaxStepsOnly);
  REQUIRE(result.steps == 10);
  CHECK(distance_from_rank0(result.model) == 0);
  CHECK(std::vector<double>(result.train_losses.begin(), result.train_losses.begin() + 6) == before.train_losses);
  // The resumed model carries on from the saved one: its loss stays below the untrained start.
  CHECK(mean(result.train_losses, 6, 10) < mean(before.train_losses, 0, 3));
  if (dist::rank() == 0) {
    const TrainingState after = read_checkpoint(dir).state;
    const size_t continued_at = (before.loader.batch + m - 1) / m * m;
    CHECK(after.loader.epoch == before.loader.epoch);
    CHECK(after.loader.batch == continued_at + 4 * m);
    CHECK(after.loader.num_replicas == m);
  }
}
