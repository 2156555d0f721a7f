// Adaptive threads (ag/core/adaptive_threads.h): the rule, the promise that results do not depend on
// the thread count, and a real competitor process making ag give up a thread.
#include <catch2/catch.hpp>
#include <omp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <vector>

#include "ag/ag.h"

using namespace ag;

TEST_CASE("threads_for_load gives up a thread for each core other processes use", "[parallel]") {
  using detail::threads_for_load;
  CHECK(threads_for_load(2, 2, 0.0) == 2);
  CHECK(threads_for_load(2, 2, 0.2) == 2);   // a little noise costs nothing
  CHECK(threads_for_load(2, 2, 0.3) == 1);   // a competitor taking a third of a core does
  CHECK(threads_for_load(2, 2, 1.0) == 1);
  CHECK(threads_for_load(2, 2, 7.5) == 1);   // never fewer than one
  CHECK(threads_for_load(8, 8, 1.0) == 7);
  CHECK(threads_for_load(8, 8, 2.6) == 5);
  CHECK(threads_for_load(4, 8, 1.0) == 4);   // never more than asked for
  CHECK(threads_for_load(1, 2, 0.0) == 1);
}

namespace {

// Forward and backward of a small MLP whose products OpenBLAS would split over threads (long sums
// of 512 and 1,500 terms, cut into strips of rows or columns, or a single strip): the loss and
// every gradient, as bits.
std::vector<float> step_bits(int threads) {
  set_num_threads(threads);
  manual_seed(7);
  const Tensor w1 = (randn({256, 512}) * 0.05).requires_grad_(), w2 = (randn({512, 64}) * 0.05).requires_grad_();
  const Tensor w3 = (randn({1500, 96}) * 0.05).requires_grad_();
  const Tensor x = randn({384, 256}), y = randn({100, 1500});
  const Tensor loss = -mean(log_softmax(matmul(gelu(matmul(x, w1)), w2), 1)) + mean(tanh(matmul(y, w3)));
  loss.backward();
  std::vector<float> bits = {loss.item<float>()};
  for (const Tensor& p : {w1, w2, w3}) {
    const auto g = p.grad().to_vector<float>();
    bits.insert(bits.end(), g.begin(), g.end());
  }
  return bits;
}

}  // namespace

TEST_CASE("a training step gives the same bits on one thread and on two", "[parallel]") {
  const int before = get_num_threads();
  set_adaptive_threads(false);
  const std::vector<float> one = step_bits(1), two = step_bits(2);
  set_adaptive_threads(true);
  set_num_threads(before);
  REQUIRE(one.size() == two.size());
  CHECK(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)) == 0);
}

TEST_CASE("with another busy process on the machine, ag runs fewer threads", "[parallel]") {
  const int cores = omp_get_num_procs();
  if (cores < 2) {
    WARN("one core: there is no thread to give up");
    return;
  }
  const int before = get_num_threads();
  set_num_threads(cores);
  set_adaptive_threads(true);
  const pid_t competitor = fork();
  REQUIRE(competitor >= 0);
  if (competitor == 0) {
    std::atomic<unsigned long> spins{0};
    for (;;) spins.fetch_add(1, std::memory_order_relaxed);
  }
  // Products keep ag busy (and adapt_threads sampling) for a second while the competitor spins.
  const Tensor a = randn({256, 256});
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1200)) (void)matmul(a, a);
  const int in_use = threads_in_use();
  kill(competitor, SIGKILL);
  waitpid(competitor, nullptr, 0);
  set_num_threads(before);
  CHECK(in_use < cores);
}
