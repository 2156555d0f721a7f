// Threads: AG_NUM_THREADS is honoured when it is a positive integer and ignored otherwise, and the
// flag guards restore their switch however their scope ends.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <omp.h>
#include <stdexcept>

#include "ag/ag.h"

using namespace ag;

TEST_CASE("default_num_threads reads AG_NUM_THREADS and ignores a bad value", "[parallel]") {
  const int openmp_default = omp_get_max_threads();
  const char* saved = std::getenv("AG_NUM_THREADS");
  const std::string previous = saved ? saved : "";
  setenv("AG_NUM_THREADS", "3", 1);
  CHECK(default_num_threads() == 3);
  for (const char* bad : {"0", "-2", "abc", "3abc", "", "99999999999"}) {
    setenv("AG_NUM_THREADS", bad, 1);
    INFO("AG_NUM_THREADS=" << bad);
    CHECK(default_num_threads() == openmp_default);
  }
  if (saved) setenv("AG_NUM_THREADS", previous.c_str(), 1);
  else unsetenv("AG_NUM_THREADS");
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
