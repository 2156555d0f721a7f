// Threads: one setting governs both OpenBLAS (matmul) and ag's own OpenMP loops, which share one
// thread team. `ag::set_num_threads(n)`, or the environment variable AG_NUM_THREADS read at
// start-up. Every thread of the team flushes denormal floats to zero (see parallel.cpp). While
// other processes keep the machine busy, ag runs fewer threads than that (adaptive_threads.h).
#pragma once
#include <cstdint>

namespace ag {

// The most threads set_num_threads accepts: beyond any machine's cores, far below the 100000 at
// which libgomp fails.
inline constexpr int kMaxThreads = 4096;

void set_num_threads(int threads);  // 1 to kMaxThreads
// The count set_num_threads() asked for (threads_in_use() says what runs now).
int get_num_threads();
// The most threads a program's --threads flag accepts on this machine: 8 per core this process may
// use (beyond that, threads only wait on each other), at most kMaxThreads.
int max_useful_threads();
// A --threads flag's value checked: 0 (the program's default) or 1 to max_useful_threads(), else
// an ag::Error naming the flag and the range.
void check_threads_flag(int64_t threads);
// A program's --threads applied: checked as above, then set_num_threads unless it is 0 (which
// leaves the default).
void use_threads_flag(int64_t threads);
// The thread count a program gets unless it chooses: AG_NUM_THREADS, else OMP_NUM_THREADS, else
// the cores this process may use shared among the processes a launcher (mpirun) started on this
// machine, so N ranks on one machine do not each start a thread per core. A variable that is not a
// positive integer is ignored, not fatal.
int default_num_threads();
// Applies AG_NUM_THREADS (or the default) and the denormal setting the first time it is called;
// the first tensor allocation calls it, so every program gets them without code.
void configure_threads_once();

namespace detail {
// Applies ag's per-thread settings (denormals flushed to zero) on every thread of the team.
void configure_every_thread();
}  // namespace detail

}  // namespace ag
