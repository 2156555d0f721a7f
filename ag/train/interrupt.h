// Ctrl-C during training: while an InterruptGuard lives, the first SIGINT (or SIGTERM) only sets a
// flag. The training loop polls it after each step, saves a checkpoint and stops; the program then
// exits with kInterruptedExitCode. A second Ctrl-C quits at once, which is safe too, because every
// file the kit writes is replaced atomically (a killed save leaves a temporary file that RunDir
// removes the next time the directory is opened). train::Loop (loop.h) does all this for a program;
// by hand it reads:
//
//   ag::train::InterruptGuard interrupt;
//   while (...) {
//     train_step();
//     if (interrupt.requested()) { save(); return ag::train::kInterruptedExitCode; }
//   }
#pragma once

namespace ag::train {

// The shell's code for "stopped by Ctrl-C" (128 + SIGINT).
inline constexpr int kInterruptedExitCode = 130;

// Installs the handlers while alive and restores the previous ones after. The flag is process-wide:
// one guard at a time. Destroying the guard clears the flag, so the next run starts afresh.
//
// Under mpirun, Ctrl-C reaches mpirun alone, and Open MPI stops the ranks in three moves, each
// `odls_base_sigkill_timeout` seconds (default 1) after the last: SIGCONT, SIGTERM, SIGKILL. A rank
// that waited for SIGTERM would have one timeout to finish its step and save; `stop_on_continue`
// makes SIGCONT the stop request too (a running rank is sent it by nothing else), which doubles that.
class InterruptGuard {
 public:
  explicit InterruptGuard(bool stop_on_continue = false);
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  // Whether a stop was asked for (by a signal or request()) since the flag was last cleared.
  static bool requested();
  // Asks for a stop as Ctrl-C does; works before a guard exists too (a test can ask a run to stop
  // after its first step).
  static void request();
  static void clear();
};

}  // namespace ag::train
