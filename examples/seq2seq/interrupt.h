// Ctrl-C during training: the first SIGINT (or SIGTERM) asks the run to stop; the training loop
// finishes the step it is in, saves a checkpoint and exits cleanly. A second Ctrl-C quits at once,
// which is safe too, because every checkpoint file is replaced atomically.
#pragma once

namespace seq2seq {

// Installs the handlers while alive and restores the previous ones after.
class InterruptHandler {
 public:
  InterruptHandler();
  ~InterruptHandler();
  InterruptHandler(const InterruptHandler&) = delete;
  InterruptHandler& operator=(const InterruptHandler&) = delete;
};

// Whether a stop was asked for since the last clear_interrupt().
bool interrupt_requested();
// Asks for a stop as Ctrl-C does (tests use it to interrupt a run after its first step).
void request_interrupt();
void clear_interrupt();

}  // namespace seq2seq
