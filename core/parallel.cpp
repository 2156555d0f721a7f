#include "core/parallel.h"

#include <cblas.h>
#include <omp.h>

#include <cstdlib>
#include <string>

#include "core/error.h"

namespace ag {

void set_num_threads(int threads) {
  AG_CHECK(threads >= 1, "set_num_threads: need at least 1 thread, got {}", threads);
  openblas_set_num_threads(threads);
  omp_set_num_threads(threads);
}

int get_num_threads() { return omp_get_max_threads(); }

namespace {
// Applies AG_NUM_THREADS before main() runs, so every program honours it without code.
const bool threads_from_environment = [] {
  if (const char* env = std::getenv("AG_NUM_THREADS")) {
    try {
      set_num_threads(std::stoi(env));
    } catch (const std::exception&) {
      // A bad value must not stop the program before main; the default thread count stays.
    }
  }
  return true;
}();
}  // namespace

}  // namespace ag
