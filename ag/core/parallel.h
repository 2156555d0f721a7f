// Threads: one setting governs both OpenBLAS (matmul) and ag's own OpenMP loops, which share one
// thread team. `ag::set_num_threads(n)`, or the environment variable AG_NUM_THREADS read at
// start-up. Every thread of the team flushes denormal floats to zero (see parallel.cpp).
#pragma once

namespace ag {

void set_num_threads(int threads);
int get_num_threads();
// The thread count a program gets unless it chooses: AG_NUM_THREADS when that is a positive
// integer, else OpenMP's default (OMP_NUM_THREADS, or the cores). A bad value is ignored, not fatal.
int default_num_threads();
// Applies AG_NUM_THREADS (or the default) and the denormal setting the first time it is called;
// the first tensor allocation calls it, so every program gets them without code.
void configure_threads_once();

}  // namespace ag
