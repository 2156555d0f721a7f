// Signal handling with only async-signal-safe calls: set a flag, write(2) a note, reset the handler.
#include "ag/train/interrupt.h"

#include <atomic>
#include <csignal>
#include <unistd.h>

namespace ag::train {

namespace {

std::atomic<bool> g_interrupted{false};
struct sigaction g_previous_int, g_previous_term, g_previous_cont;
bool g_stop_on_continue = false;

extern "C" void on_signal(int signal_number) {
  constexpr char note[] = "\ninterrupted: saving a checkpoint after this step (press Ctrl-C again to quit at once)\n";
  if (!g_interrupted.exchange(true)) {  // said once, though mpirun's SIGTERM follows its SIGCONT
    [[maybe_unused]] auto written = write(STDERR_FILENO, note, sizeof(note) - 1);
  }
  std::signal(signal_number, SIG_DFL);  // the next one takes the default action: quit
}

}  // namespace

InterruptGuard::InterruptGuard(bool stop_on_continue) {
  struct sigaction action = {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &g_previous_int);
  sigaction(SIGTERM, &action, &g_previous_term);
  g_stop_on_continue = stop_on_continue;
  if (stop_on_continue) sigaction(SIGCONT, &action, &g_previous_cont);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &g_previous_int, nullptr);
  sigaction(SIGTERM, &g_previous_term, nullptr);
  if (g_stop_on_continue) sigaction(SIGCONT, &g_previous_cont, nullptr);
  clear();
}

bool InterruptGuard::requested() { return g_interrupted.load(); }
void InterruptGuard::request() { g_interrupted.store(true); }
void InterruptGuard::clear() { g_interrupted.store(false); }

}  // namespace ag::train
