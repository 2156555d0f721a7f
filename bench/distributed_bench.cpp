// distributed_bench: the reference seq2seq training step (bench/workloads.cpp) data-parallel, beside
// one process, in one run:
//     mpirun --bind-to none -np 2 ./build/bench/distributed_bench [--steps 10]
// (--bind-to none: Open MPI binds each of two ranks to one core, and rank 0's second thread
// would then share its first thread's core; the program refuses to measure that.)
// prints, as JSON from rank 0:
//   1 rank x 1 thread     rank 0 alone, one thread (rank 1 sleeps)
//   1 rank x 2 threads    rank 0 alone, two threads (rank 1 sleeps)
//   2 ranks x 1 thread    DistributedDataParallel, each rank its own batch of 64 sentences
// with each setup's median step time and target tokens/s (a data-parallel step trains on every
// rank's batch), the speed-up over 1 rank x 1 thread, the scaling efficiency (speed-up / ranks) and
// the time per step spent waiting for gradients that backward did not finish sending.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <omp.h>

#include "ag/ag.h"
#include "ag/distributed/collectives.h"
#include "ag/distributed/distributed_data_parallel.h"
#include "bench/workloads.h"

namespace dist = ag::distributed;

namespace {

constexpr double kTargetTokensPerBatch = 64 * 32;  // the reference batch: 64 sentences x 32 target tokens

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Rank 0 alone with `threads` threads; the other ranks sleep until it is done.
nlohmann::json solo(const ag::bench::Settings& settings, int threads) {
  nlohmann::json out;
  if (dist::rank() == 0) {
    AG_CHECK(omp_get_num_procs() >= threads, "rank 0 may run on {} core(s), too few for {} threads: start mpirun "
             "with --bind-to none", omp_get_num_procs(), threads);
    ag::bench::Settings s = settings;
    s.threads = threads;
    ag::set_num_threads(threads);
    const double ms = ag::bench::seq2seq_step(s).at("ms_per_step");
    out = {{"ranks", 1}, {"threads", threads}, {"ms_per_step", ms}, {"tokens_per_s", kTargetTokensPerBatch / (ms / 1000)}};
  }
  dist::barrier();  // the other ranks wait asleep, leaving rank 0 the cores
  return out;
}

// Every rank, one thread each, under DistributedDataParallel.
nlohmann::json data_parallel(const ag::bench::Settings& s) {
  ag::set_num_threads(1);
  std::unique_ptr<dist::DistributedDataParallel> ddp;
  std::vector<double> wait_ms;
  int64_t gradient_bytes = 0;
  const double ms = ag::bench::seq2seq_step(
      s,
      [&](const std::shared_ptr<ag::nn::Module>& model) {
        ddp = std::make_unique<dist::DistributedDataParallel>(model);
        for (const ag::Tensor& p : model->parameters()) gradient_bytes += p.numel() * 4;
      },
      [&] {
        ddp->sync_gradients();
        wait_ms.push_back(ddp->last_wait_seconds() * 1000);
      }).at("ms_per_step");
  const int n = dist::world_size();
  return {{"ranks", n},
          {"threads", 1},
          {"ms_per_step", ms},
          {"tokens_per_s", n * kTargetTokensPerBatch / (ms / 1000)},
          {"wait_ms_per_step", median(wait_ms)},
          {"buckets", ddp->bucket_names().size()},
          {"gradient_mb", gradient_bytes / 1e6}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"distributed_bench: the reference seq2seq step data-parallel (run it under mpirun -np 2)"};
  ag::bench::Settings s;
  app.add_option("--steps", s.steps, "timed steps per setup (the median is reported)")->check(CLI::Range(1, 100000));
  app.add_option("--warmup", s.warmup, "untimed steps first")->check(CLI::Range(0, 1000));
  CLI11_PARSE(app, argc, argv);
  try {
    dist::init();
    const nlohmann::json one = solo(s, 1), two_threads = solo(s, 2), ranks = data_parallel(s);
    if (dist::rank() == 0) {
      const double base = one["tokens_per_s"];
      nlohmann::json report = {{"1_rank_x_1_thread", one}, {"1_rank_x_2_threads", two_threads},
                               {fmt::format("{}_ranks_x_1_thread", dist::world_size()), ranks}};
      report["speedup_2_threads"] = two_threads["tokens_per_s"].get<double>() / base;
      report["speedup_ranks"] = ranks["tokens_per_s"].get<double>() / base;
      report["scaling_efficiency"] = report["speedup_ranks"].get<double>() / dist::world_size();
      std::cout << report.dump(2) << "\n";
    }
  } catch (const ag::Error& e) {
    dist::abort(std::string("distributed_bench: ") + e.what());
  }
}
