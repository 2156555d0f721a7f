// The cadence of a training run (see loop.h).
#include "ag/train/loop.h"

#include <algorithm>
#include <fmt/format.h>

#include "ag/core/error.h"
#include "ag/train/interrupt.h"

namespace ag::train {

Loop::Loop(LoopOptions options, TrainState& state, std::ostream& log, bool log_is_terminal, std::string rate_unit)
    : o_(std::move(options)), state_(state), log_(log), progress_(log, log_is_terminal, std::move(rate_unit)) {
  AG_CHECK(o_.validate_every > 0 && o_.save_every > 0, "Loop: validate_every ({}) and save_every ({}) must be positive",
           o_.validate_every, o_.save_every);
}

bool Loop::run(const LoopCallbacks& program) {
  InterruptGuard interrupt;
  clock_ = Stopwatch(state_.elapsed_s);
  items_ = 0;
  const int64_t first_step = state_.step;
  const std::string name = o_.program.substr(0, o_.program.find(' '));  // "gpt" of "gpt train"
  const auto out_of_steps = [&] { return state_.step >= o_.max_steps; };
  const auto out_of_time = [&] { return o_.max_time > 0 && clock_.elapsed_s() >= o_.max_time; };
  if (first_step > 0) {  // a resumed run (a checkpoint holds one step at least)
    log_ << fmt::format("{}: resumed at step {} ({} trained)\n", name, first_step, format_duration(state_.elapsed_s));
    // A run that has ended was validated and saved at its end (below, even when Ctrl-C came during
    // its last step): doing so again would only repeat a line of the metrics log.
    if (out_of_steps() || out_of_time()) {
      log_ << (out_of_steps() ? fmt::format("{}: the run has reached its last step ({}); nothing to train. Give a "
                                            "larger {} to train on\n", name, o_.max_steps, o_.length_flag)
                              : fmt::format("{}: the run has used its --max-time ({}); nothing to train. Give a larger "
                                            "--max-time to train on\n", name, format_duration(o_.max_time)));
      return false;
    }
  }
  int64_t validated_at = -1;
  const auto validate = [&] {
    progress_.break_line();  // the program's validation writes its own lines
    program.validate();
    validated_at = state_.step;
  };
  const auto save = [&] {
    state_.elapsed_s = clock_.elapsed_s();
    program.save();
  };

  bool stopped = false;
  while (!out_of_steps() && !out_of_time()) {
    report(program.step(), first_step);
    if (state_.step % o_.validate_every == 0 && state_.step < o_.max_steps) validate();
    if (interrupt.requested()) {
      stopped = true;
      break;
    }
    if (state_.step % o_.save_every == 0 && state_.step < o_.max_steps) save();
  }
  progress_.break_line();
  // A run stopped during its last step is validated as an ended one is, so that its resumed session
  // has nothing left to do but what the program does after training.
  const bool ended = out_of_steps() || out_of_time();
  if ((!stopped || ended) && validated_at != state_.step) validate();
  save();
  if (stopped)
    log_ << fmt::format("{}: stopped at step {}; continue with: {} --resume {}\n", name, state_.step, o_.program,
                        o_.run_dir);
  return stopped;
}

// Books the step and shows it: the loss smoothed over the last 50 steps, the rate over this
// session, and the time left by whichever limit comes first.
void Loop::report(const StepReport& step, int64_t first_step) {
  state_.train_losses.push_back(step.loss);
  ++state_.step;
  items_ += step.items;
  const double session_s = clock_.session_s();
  const double per_step = session_s / static_cast<double>(state_.step - first_step);
  std::optional<double> eta = static_cast<double>(o_.max_steps - state_.step) * per_step;
  if (o_.max_time > 0) eta = std::min(*eta, o_.max_time - clock_.elapsed_s());
  progress_.update({.epoch = step.epoch, .step = state_.step, .loss = mean_of_last(state_.train_losses, 50),
                    .lr = step.lr, .rate = items_ / std::max(session_s, 1e-9), .elapsed_s = clock_.elapsed_s(),
                    .eta_s = eta});
}

}  // namespace ag::train
