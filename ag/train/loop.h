// The loop around a program's training step: when to validate, when to save, when to stop, and
// what Ctrl-C does. The program says how to take one step, how to validate and how to save; the loop
// keeps the count of steps and the loss of each in the TrainState, the training time, the progress
// line, and the cadence:
//
//   (a resumed run: say from which step it goes on; if the run has ended, say so and return false)
//   until max_steps (or max_time) is reached:
//     step                                       -> its loss in state.train_losses, state.step + 1
//     validate         every validate_every steps
//     Ctrl-C?          save, say how to continue, and return true
//     save             every save_every steps
//   validate (unless this step just was), save   -> return false
//   (stopped by Ctrl-C during the last step: validated too, so that nothing is left for --resume)
//
// Validation comes before the Ctrl-C check, so a stopped run has validated every step an
// uninterrupted one would have by then, and its resumed run validates the rest: together they
// write the same metrics log and keep the same best weights as a run never stopped.
//
//   ag::train::Loop loop({.max_steps = 2000, .validate_every = 250, .save_every = 250,
//                         .program = "mytrain", .run_dir = run.path()}, state, std::cerr, is_terminal, "tok/s");
//   const bool stopped = loop.run({.step = [&] { return train_step(); }, .validate = validate, .save = save});
//   return stopped ? ag::train::kInterruptedExitCode : 0;
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "ag/train/checkpoint.h"
#include "ag/train/progress.h"

namespace ag::train {

struct LoopOptions {
  int64_t max_steps = 0;       // the run ends at this step (counted over every session of the run)
  double max_time = 0;         // or when the training time reaches this many seconds; 0: no limit
  int64_t validate_every = 0;  // steps between validations (> 0)
  int64_t save_every = 0;      // steps between checkpoints (> 0)
  std::string program = {};    // how a run is started (RunFiles::program), for the messages, e.g.
  std::string run_dir = {};    // "gpt: stopped at step 5; continue with: gpt train --resume <run_dir>"
  std::string length_flag = "--max-steps";  // the flag that sets max_steps, for the messages
};

// What one step tells the loop.
struct StepReport {
  double loss = 0;   // the step's training loss
  double lr = 0;     // the learning rate it used
  double items = 0;  // what it trained on, in the progress line's unit (tokens, texts, windows...)
  std::optional<int64_t> epoch = std::nullopt;  // 1-based, when the progress line should show it
};

// The program's parts of the loop. Each may read the TrainState; only the loop changes its step
// and losses.
struct LoopCallbacks {
  std::function<StepReport()> step;  // one update: forward, backward, optimizer and schedule
  std::function<void()> validate;    // score the model, log it, keep the best weights
  std::function<void()> save;        // write the checkpoint (state.elapsed_s is set just before)
};

class Loop {
 public:
  // `state` is the run's, restored from the checkpoint when resuming; the loop goes on from its step.
  Loop(LoopOptions options, TrainState& state, std::ostream& log, bool log_is_terminal,
       std::string rate_unit = "items/s");

  // Trains until max_steps or max_time; returns true when Ctrl-C (or InterruptGuard::request())
  // stopped it, after saving.
  bool run(const LoopCallbacks& callbacks);

  // The training time over every session, this one included (for the metrics log).
  double elapsed_s() const { return clock_.elapsed_s(); }

 private:
  void report(const StepReport& step, int64_t first_step);

  LoopOptions o_;
  TrainState& state_;
  std::ostream& log_;
  Progress progress_;
  Stopwatch clock_;
  double items_ = 0;  // trained on in this session
};

}  // namespace ag::train
