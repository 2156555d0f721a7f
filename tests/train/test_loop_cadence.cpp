// train::Loop, the cadence around a program's step (ag/train/loop.h): when it validates and saves,
// what Ctrl-C does, and that a run stopped and resumed validates and saves as one never stopped.
// The "program" here trains nothing: it writes down what the loop asks of it.
#include <catch2/catch.hpp>
#include <chrono>
#include <fmt/format.h>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ag/core/error.h"
#include "ag/train/interrupt.h"
#include "ag/train/loop.h"

using namespace ag;

namespace {

// A program's run: its state, what the loop asked of it ("v3": validate at step 3, "s4": save at
// step 4), and the state it saved last, which a resumed run starts from.
struct Recorder {
  train::TrainState state;
  std::vector<std::string> events;
  std::optional<train::TrainState> checkpoint;
  int64_t stop_at = 0;        // Ctrl-C while this step runs (0: never)
  int64_t step_sleep_ms = 0;  // how long a step takes

  bool run(const train::LoopOptions& options, std::ostream& log) {
    train::Loop loop(options, state, log, /*log_is_terminal=*/false);
    return loop.run({.step = [&] { return step(); },
                     .validate = [&] { events.push_back(fmt::format("v{}", state.step)); },
                     .save = [&] {
                       events.push_back(fmt::format("s{}", state.step));
                       checkpoint = state;
                     }});
  }

  train::StepReport step() {
    if (state.step + 1 == stop_at) train::InterruptGuard::request();
    std::this_thread::sleep_for(std::chrono::milliseconds(step_sleep_ms));
    return {.loss = 1.0 / static_cast<double>(state.step + 1), .lr = 1e-3, .items = 8};
  }
};

const train::LoopOptions kTen{.max_steps = 10, .validate_every = 3, .save_every = 5, .program = "toy train",
                              .run_dir = "runs/toy"};

}  // namespace

TEST_CASE("Loop: validates and saves on their cadence, and once more at the end", "[loop]") {
  Recorder program;
  std::ostringstream log;
  CHECK_FALSE(program.run(kTen, log));
  CHECK(program.events == std::vector<std::string>{"v3", "s5", "v6", "v9", "v10", "s10"});  // step 10 saved once
  CHECK(program.state.step == 10);
  REQUIRE(program.state.train_losses.size() == 10);  // one loss a step, in order
  CHECK(program.state.train_losses[3] == 1.0 / 4);
  CHECK(log.str().find("step 1 | loss 1.0000 | lr 1.00e-03") != std::string::npos);  // the first line always shows
}

TEST_CASE("Loop: Ctrl-C stops after the step under way, validates it if due, and saves once", "[loop]") {
  std::ostringstream log;
  Recorder at_validation;
  at_validation.stop_at = 6;
  CHECK(at_validation.run(kTen, log));
  CHECK(at_validation.events == std::vector<std::string>{"v3", "s5", "v6", "s6"});
  CHECK(log.str().find("toy: stopped at step 6; continue with: toy train --resume runs/toy\n") != std::string::npos);
  CHECK_FALSE(train::InterruptGuard::requested());  // the next run starts afresh

  Recorder at_save;
  at_save.stop_at = 5;
  CHECK(at_save.run(kTen, log));
  CHECK(at_save.events == std::vector<std::string>{"v3", "s5"});
}

TEST_CASE("Loop: a run stopped and resumed validates as one never stopped, and takes the same steps", "[loop]") {
  const auto validations = [](const std::vector<std::string>& events) {
    std::vector<std::string> v;
    for (const std::string& e : events)
      if (e[0] == 'v') v.push_back(e);
    return v;
  };
  std::ostringstream log;
  Recorder whole;
  whole.run(kTen, log);
  for (const int64_t stop : {1, 3, 4, 5, 9, 10}) {
    INFO("stopped during step " << stop);
    Recorder first;
    first.stop_at = stop;
    REQUIRE(first.run(kTen, log));
    CHECK(first.events.back() == fmt::format("s{}", stop));  // saved where it stopped
    Recorder resumed;
    resumed.state = *first.checkpoint;
    std::ostringstream resumed_log;
    CHECK_FALSE(resumed.run(kTen, resumed_log));
    CHECK(resumed_log.str().rfind(fmt::format("toy: resumed at step {} (0s trained)\n", stop), 0) == 0);
    std::vector<std::string> both = validations(first.events), rest = validations(resumed.events);
    both.insert(both.end(), rest.begin(), rest.end());
    CHECK(both == validations(whole.events));
    CHECK(resumed.state.train_losses == whole.state.train_losses);
  }
}

TEST_CASE("Loop: a resumed run that has ended takes no step, validates nothing and saves nothing", "[loop]") {
  // An ended run was validated and saved at its end: a second --resume would only repeat them.
  Recorder by_time;
  by_time.state.step = 7, by_time.state.train_losses.assign(7, 0.5), by_time.state.elapsed_s = 100;
  train::LoopOptions options = kTen;
  options.max_time = 50;
  std::ostringstream log;
  CHECK_FALSE(by_time.run(options, log));
  CHECK(by_time.events.empty());
  CHECK_THAT(log.str(), Catch::Contains("toy: the run has used its --max-time (50s); nothing to train. Give a larger "
                                        "--max-time to train on"));

  Recorder by_steps;
  by_steps.state.step = 10, by_steps.state.train_losses.assign(10, 0.5);
  options = kTen;
  options.length_flag = "--epochs";
  CHECK_FALSE(by_steps.run(options, log));
  CHECK(by_steps.events.empty());
  CHECK(by_steps.state.step == 10);
  CHECK_THAT(log.str(), Catch::Contains("toy: the run has reached its last step (10); nothing to train. Give a larger "
                                        "--epochs to train on"));
}

TEST_CASE("Loop: Ctrl-C during the last step validates it, as the end of the run would", "[loop]") {
  std::ostringstream log;
  Recorder last_step;
  last_step.stop_at = 10;
  CHECK(last_step.run(kTen, log));
  CHECK(last_step.events == std::vector<std::string>{"v3", "s5", "v6", "v9", "v10", "s10"});

  Recorder out_of_time;  // the step under way when Ctrl-C came took the run past its --max-time
  out_of_time.state.elapsed_s = 49;
  out_of_time.step_sleep_ms = 1200;
  out_of_time.stop_at = 1;
  train::LoopOptions options = kTen;
  options.max_time = 50;
  CHECK(out_of_time.run(options, log));
  CHECK(out_of_time.events == std::vector<std::string>{"v1", "s1"});
}

TEST_CASE("Loop: a run that ends by time validates its last step once", "[loop]") {
  Recorder program;
  program.state.elapsed_s = 49;  // a second before the limit: the first step takes it past
  program.step_sleep_ms = 1200;
  train::LoopOptions options = kTen;
  options.max_time = 50, options.validate_every = 1;
  std::ostringstream log;
  CHECK_FALSE(program.run(options, log));
  CHECK(program.events == std::vector<std::string>{"v1", "s1"});
  CHECK(program.checkpoint->elapsed_s >= 50);  // the time of every session, set before the save
}

TEST_CASE("Loop: a cadence of zero steps is refused", "[loop]") {
  train::TrainState state;
  std::ostringstream log;
  train::LoopOptions options = kTen;
  options.save_every = 0;
  CHECK_THROWS_AS(train::Loop(options, state, log, false), ag::Error);
}
