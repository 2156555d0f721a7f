// Threads: AG_NUM_THREADS is honoured when it is a positive integer and ignored otherwise, and the
// flag guards restore their switch however their scope ends.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>
#include <omp.h>
#include <stdexcept>

#include "ag/ag.h"

using namespace ag;

namespace {

// Sets environment variables for a scope and puts back what was there.
class ScopedEnv {
 public:
  ScopedEnv(std::initializer_list<std::pair<const char*, const char*>> values) {
    for (const auto& [name, value] : values) {
      const char* old = std::getenv(name);
      saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
      if (value) setenv(name, value, 1);
      else unsetenv(name);
    }
  }
  ~ScopedEnv() {
    for (const auto& [name, old] : saved_) {
      if (old) setenv(name.c_str(), old->c_str(), 1);
      else unsetenv(name.c_str());
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

}  // namespace

TEST_CASE("default_num_threads reads AG_NUM_THREADS, then OMP_NUM_THREADS, and ignores a bad value", "[parallel]") {
  const int cores = omp_get_num_procs();
  {
    ScopedEnv env{{"AG_NUM_THREADS", "3"}, {"OMP_NUM_THREADS", "5"}};
    CHECK(default_num_threads() == 3);
  }
  {
    ScopedEnv env{{"AG_NUM_THREADS", nullptr}, {"OMP_NUM_THREADS", "5"}};
    CHECK(default_num_threads() == 5);
  }
  for (const char* bad : {"0", "-2", "abc", "3abc", "", "99999999999"}) {
    ScopedEnv env{{"AG_NUM_THREADS", bad}, {"OMP_NUM_THREADS", nullptr}, {"OMPI_COMM_WORLD_LOCAL_SIZE", nullptr},
                  {"MPI_LOCALNRANKS", nullptr}};
    INFO("AG_NUM_THREADS=" << bad);
    CHECK(default_num_threads() == cores);
  }
}

TEST_CASE("default_num_threads shares the cores among the ranks mpirun started on this machine", "[parallel]") {
  const int cores = omp_get_num_procs();
  ScopedEnv env{{"AG_NUM_THREADS", nullptr}, {"OMP_NUM_THREADS", nullptr}, {"OMPI_COMM_WORLD_LOCAL_SIZE", "2"}};
  CHECK(default_num_threads() == std::max(1, cores / 2));
  ScopedEnv many{{"OMPI_COMM_WORLD_LOCAL_SIZE", "4096"}};
  CHECK(default_num_threads() == 1);  // never zero
}

TEST_CASE("a flag guard restores its switch when its scope ends by an exception", "[parallel]") {
  REQUIRE(GradMode::is_enabled());
  try {
    NoGradGuard no_grad;
    CHECK_FALSE(GradMode::is_enabled());
    throw std::runtime_error("leave the scope");
  } catch (const std::runtime_error&) {
  }
  CHECK(GradMode::is_enabled());
  {
    ReferenceKernelsGuard plain;
    CHECK(reference_kernels_enabled());
    {
      ReferenceKernelsGuard fast(false);
      CHECK_FALSE(reference_kernels_enabled());
    }
    CHECK(reference_kernels_enabled());
  }
  CHECK_FALSE(reference_kernels_enabled());
}
