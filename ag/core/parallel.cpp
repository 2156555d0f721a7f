#include "ag/core/parallel.h"

#include <cblas.h>
#include <omp.h>
#include <pmmintrin.h>
#include <xmmintrin.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string>

#include "ag/core/error.h"

namespace ag {

namespace {

// Denormal floats (below 1.2e-38) make Intel and AMD cores take a slow microcode path on every
// operation that touches them: one backward GEMM of a Transformer ran 8x slower from a few of them
// in its gradient. Like most training stacks on accelerators, ag flushes them to zero (FTZ) and
// reads them as zero (DAZ); values that small carry no useful gradient. The setting lives in each
// thread's MXCSR register, so it is applied on every thread of the OpenMP team, which OpenBLAS
// shares.
void flush_denormals_on_every_thread() {
#pragma omp parallel
  {
    _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
    _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
  }
}

std::atomic<bool> threads_configured{false};

}  // namespace

void set_num_threads(int threads) {
  AG_CHECK(threads >= 1, "set_num_threads: need at least 1 thread, got {}", threads);
  openblas_set_num_threads(threads);
  omp_set_num_threads(threads);
  flush_denormals_on_every_thread();
  threads_configured = true;
}

int get_num_threads() { return omp_get_max_threads(); }

void configure_threads_once() {
  if (threads_configured) return;  // the program chose already
  // AG_NUM_THREADS, else OpenMP's default; a bad value keeps the default rather than failing.
  int threads = omp_get_max_threads();
  if (const char* env = std::getenv("AG_NUM_THREADS")) {
    try {
      threads = std::max(1, std::stoi(env));
    } catch (const std::exception&) {
    }
  }
  set_num_threads(threads);
}

}  // namespace ag
