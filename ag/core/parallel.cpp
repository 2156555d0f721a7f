#include "ag/core/parallel.h"

#include <cblas.h>
#include <omp.h>
#include <pmmintrin.h>
#include <xmmintrin.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>

#include "ag/core/error.h"

namespace ag {

namespace {

// Denormal floats (below 1.2e-38) make Intel and AMD cores take a slow microcode path on every
// operation that touches them: one backward GEMM of a Transformer ran 8x slower from a few of them
// in its gradient. Like most training stacks on accelerators, ag flushes them to zero (FTZ) and
// reads them as zero (DAZ); values that small carry no useful gradient. The setting lives in each
// thread's MXCSR register, so it is applied on every thread of the OpenMP team, which OpenBLAS
// shares.
std::atomic<bool> threads_configured{false};
std::atomic<int> threads_requested{1};

}  // namespace

void detail::configure_every_thread() {
#pragma omp parallel
  {
    _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
    _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
  }
}

void set_num_threads(int threads) {
  AG_CHECK(threads >= 1 && threads <= kMaxThreads, "set_num_threads: need at least 1 thread and at most {}, got {}",
           kMaxThreads, threads);
  threads_requested = threads;
  openblas_set_num_threads(threads);
  omp_set_num_threads(threads);
  detail::configure_every_thread();
  threads_configured = true;
}

int get_num_threads() {
  configure_threads_once();
  return threads_requested;
}

int max_useful_threads() { return std::min(kMaxThreads, 8 * std::max(1, omp_get_num_procs())); }

void check_threads_flag(int64_t threads) {
  AG_CHECK(threads >= 0 && threads <= max_useful_threads(),
           "--threads ({}) must be in [0, {}]: 0 for every core, at most 8 threads per core of this machine", threads,
           max_useful_threads());
}

void use_threads_flag(int64_t threads) {
  check_threads_flag(threads);
  if (threads > 0) set_num_threads(static_cast<int>(threads));
}

namespace {

// The value of an environment variable that holds a count from 1 to kMaxThreads, or 0.
int env_count(const char* name) {
  const char* env = std::getenv(name);
  if (env == nullptr) return 0;
  char* end = nullptr;
  const long value = std::strtol(env, &end, 10);
  return end != env && *end == '\0' && value >= 1 && value <= kMaxThreads ? static_cast<int>(value) : 0;
}

}  // namespace

int default_num_threads() {
  for (const char* chosen : {"AG_NUM_THREADS", "OMP_NUM_THREADS"})
    if (const int threads = env_count(chosen)) return threads;
  int processes_here = 1;  // Open MPI's and MPICH's names for the ranks started on this machine
  for (const char* launcher : {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"})
    if (const int ranks = env_count(launcher)) processes_here = ranks;
  return std::max(1, omp_get_num_procs() / processes_here);
}

void configure_threads_once() {
  if (threads_configured) return;  // the program chose already
  set_num_threads(default_num_threads());
}

}  // namespace ag
