#include "ag/core/adaptive_threads.h"

#include <cblas.h>
#include <omp.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>

#include "ag/core/env.h"
#include "ag/core/parallel.h"

namespace ag {

namespace {

double seconds_on(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Seconds the cores this process may run on have spent busy since boot (anything but idle and
// waiting for I/O; `steal` is time the hypervisor gave to other machines), from /proc/stat's
// per-CPU lines; negative where they cannot be read.
double busy_seconds_of_our_cores() {
  cpu_set_t ours;
  CPU_ZERO(&ours);
  if (sched_getaffinity(0, sizeof ours, &ours) != 0) return -1;
  std::ifstream stat("/proc/stat");
  std::string line;
  unsigned long long ticks = 0;
  bool any = false;
  while (std::getline(stat, line) && line.compare(0, 3, "cpu") == 0) {
    int cpu = -1;
    unsigned long long user, nice, system, idle, iowait, irq, softirq, steal;
    // The first line ("cpu  ...", the sum over all CPUs) has no number and is skipped here.
    if (std::sscanf(line.c_str(), "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &user, &nice, &system, &idle,
                    &iowait, &irq, &softirq, &steal) != 9)
      continue;
    if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &ours)) continue;
    ticks += user + nice + system + irq + softirq + steal;
    any = true;
  }
  const long ticks_per_second = sysconf(_SC_CLK_TCK);
  return any && ticks_per_second > 0 ? static_cast<double>(ticks) / static_cast<double>(ticks_per_second) : -1;
}

std::atomic<int> g_enabled{-1};  // -1: AG_ADAPTIVE_THREADS not read yet
std::atomic<int> g_chosen{0};    // threads the last sample allowed; 0 before the first

// The previous look at the machine, and when the next is due; one thread samples at a time.
std::mutex g_sample_mutex;
struct Sample {
  double wall = 0, busy = 0, self = 0;  // seconds: monotonic clock, busy cores, this process's CPU
} g_last;
std::atomic<double> g_next_sample_at{0};

void sample(double now) {
  std::unique_lock lock(g_sample_mutex, std::try_to_lock);
  if (!lock.owns_lock() || now < g_next_sample_at.load()) return;  // another thread is at it, or was
  g_next_sample_at = now + detail::kSampleSeconds;
  const double busy = busy_seconds_of_our_cores();
  if (busy < 0) {  // nothing to measure with: keep the count fixed
    g_enabled = 0;
    return;
  }
  const Sample s{now, busy, seconds_on(CLOCK_PROCESS_CPUTIME_ID)};
  if (g_last.wall > 0 && s.wall > g_last.wall) {
    const double others = ((s.busy - g_last.busy) - (s.self - g_last.self)) / (s.wall - g_last.wall);
    g_chosen = detail::threads_for_load(get_num_threads(), omp_get_num_procs(), std::max(0.0, others));
  }
  g_last = s;
}

}  // namespace

void set_adaptive_threads(bool on) { g_enabled = on ? 1 : 0; }

bool adaptive_threads() {
  if (g_enabled.load() < 0)  // on unless the switch is set and off (ag/core/env.h's reading of "0")
    g_enabled = std::getenv("AG_ADAPTIVE_THREADS") == nullptr || env_flag("AG_ADAPTIVE_THREADS") ? 1 : 0;
  return g_enabled.load() == 1;
}

int detail::threads_for_load(int requested, int cores, double others) {
  const int lost = static_cast<int>(std::ceil(others - 0.25));  // 0.3 of a core taken costs a thread
  return std::clamp(cores - std::max(lost, 0), 1, std::max(requested, 1));
}

void adapt_threads() {
  if (omp_in_parallel()) return;
  const int requested = get_num_threads();
  int want = requested;
  if (adaptive_threads()) {
    const double now = seconds_on(CLOCK_MONOTONIC);
    if (now >= g_next_sample_at.load(std::memory_order_relaxed)) sample(now);
    if (const int chosen = g_chosen.load(); chosen > 0) want = std::min(chosen, requested);
  }
  const int current = omp_get_max_threads();
  if (want == current) return;
  openblas_set_num_threads(want);
  omp_set_num_threads(want);
  // OpenMP ends surplus threads when a team shrinks; the new ones of a larger team need ag's
  // per-thread settings (flushing denormals, which the results depend on).
  if (want > current) detail::configure_every_thread();
}

int threads_in_use() { return omp_get_max_threads(); }

}  // namespace ag
