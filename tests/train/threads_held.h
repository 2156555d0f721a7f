// For the tests of `train` in gpt, classify and forecast: --threads is held to this machine's cores
// (at most 8 per core) when the run starts, not when its settings are read, because a checkpoint
// may come from a machine with more cores. A count this machine refuses deletes nothing under
// --force, and a saved count it refuses gives way to a smaller --threads typed with --resume.
#pragma once
#include <catch2/catch.hpp>
#include <ostream>
#include <sstream>
#include <string>

#include "ag/core/parallel.h"
#include "edit_metadata.h"
#include "resume_flags.h"

namespace ag::train::testing {

// Trains `run`, a fresh run's options, with `train`, the program's train(options, log,
// log_is_terminal, was_given), then tries its directory with too many threads.
template <typename TrainOptions, typename Train>
void check_threads_held_to_this_machine(const TrainOptions& run, const Train& train) {
  std::ostringstream log;
  train(run, log, false, typed({}));
  const int too_many = ag::max_useful_threads() + 1;
  if (too_many > ag::kMaxThreads) {  // 512 cores or more: the settings' own range refuses it first
    WARN("this machine allows every --threads up to " << ag::kMaxThreads << "; nothing to check");
    return;
  }
  const auto before = contents(run.out);
  TrainOptions again = run;
  again.force = true, again.threads = too_many;
  CHECK_THROWS_WITH(train(again, log, false, typed({"--force", "--threads"})),
                    Catch::Contains("at most 8 threads per core"));
  CHECK(contents(run.out) == before);

  const std::string checkpoint = run.out + "/checkpoint.safetensors";
  edit_metadata(checkpoint, checkpoint, "options", [&](nlohmann::json& options) { options["threads"] = too_many; });
  const auto saved_elsewhere = contents(run.out);
  TrainOptions resume = resume_of<TrainOptions>(run.out);
  CHECK_THROWS_WITH(train(resume, log, false, typed({})),
                    Catch::Contains("at most 8 threads per core") && Catch::Contains("--threads"));
  CHECK(contents(run.out) == saved_elsewhere);
  const int threads_before = ag::get_num_threads();
  resume.threads = 2;  // allowed on any machine (8 per core)
  CHECK_NOTHROW(train(resume, log, false, typed({"--threads"})));
  CHECK(ag::get_num_threads() == 2);  // the typed count, not the saved one, is the run's
  ag::set_num_threads(threads_before);
}

}  // namespace ag::train::testing
