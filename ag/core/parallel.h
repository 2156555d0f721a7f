// Threads: one setting governs both OpenBLAS (matmul) and ag's own OpenMP loops, which share one
// thread team. `ag::set_num_threads(n)`, or the environment variable AG_NUM_THREADS read at
// start-up. Every thread of the team flushes denormal floats to zero (see parallel.cpp). While
// other processes keep the machine busy, ag runs fewer threads than that (adaptive_threads.h).
#pragma once

namespace ag {

void set_num_threads(int threads);
// The count set_num_threads() asked for (threads_in_use() says what runs now).
int get_num_threads();
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
