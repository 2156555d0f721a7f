// The run-length settings gpt and forecast share, counted in optimizer steps, as entries of a
// settings list (ag/train/settings.h): --max-steps, --max-time, --eval-every, --save-every and
// --threads, which --resume may change, and decay_steps, the cosine's length, which it keeps (the
// first session's --max-steps, set by train(); no flag). For any options struct with the fields
// max_steps, decay_steps, max_time, eval_every, save_every and threads.
#pragma once
#include <string>

#include "ag/train/flag_ranges.h"
#include "ag/train/settings.h"

namespace examples {

// `eval_help` says what a validation is in this program ("steps between validation losses").
template <typename Self, typename Setting>
void step_settings(Self& o, Setting& setting, const std::string& eval_help, const std::string& group) {
  using ag::train::Range;
  constexpr auto kMayChange = ag::train::OnResume::kMayChange;
  constexpr auto kMaxSteps = static_cast<double>(ag::train::kMaxSteps);
  setting(o.max_steps, {.flag = "--max-steps", .key = "/max_steps",
                        .help = "optimizer steps in all; the cosine decays over the first session's --max-steps, and "
                                "a run resumed with more trains the extra steps at --min-lr",
                        .range = Range{1, kMaxSteps}, .on_resume = kMayChange, .group = group});
  setting(o.decay_steps, {.key = "/decay_steps", .range = Range{0, kMaxSteps}});  // set by train()
  setting(o.max_time, ag::train::max_time_setting("/max_time", group));
  setting(o.eval_every, {.flag = "--eval-every", .key = "/eval_every", .help = eval_help,
                         .range = Range{1, kMaxSteps}, .on_resume = kMayChange, .group = group});
  setting(o.save_every, {.flag = "--save-every", .key = "/save_every", .help = "steps between checkpoints",
                         .range = Range{1, kMaxSteps}, .on_resume = kMayChange, .group = group});
  setting(o.threads, ag::train::threads_setting("/threads", group));
}

}  // namespace examples
