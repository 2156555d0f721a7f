// Threads: one setting governs both OpenBLAS (matmul) and ag's own OpenMP loops.
// `ag::set_num_threads(n)`, or the environment variable AG_NUM_THREADS read at start-up.
#pragma once

namespace ag {

void set_num_threads(int threads);
int get_num_threads();

}  // namespace ag
