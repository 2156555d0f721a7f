// ag_bench: runs one benchmark workload in ag and prints its figures as JSON.
// bench/run.sh runs every workload here and in PyTorch (torch_bench.py) and compares them.
//     ag_bench --workload seq2seq --threads 2 [--steps 10] [--memory-steps 1000]
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "ag/ag.h"
#include "bench/workloads.h"

int main(int argc, char** argv) {
  CLI::App app{"ag_bench: time one workload in ag and print its figures as JSON"};
  std::string workload;
  ag::bench::Settings s;
  app.add_option("--workload", workload, "seq2seq, gpt, translate, kernels, memory or sgemm")
      ->required()
      ->check(CLI::IsMember({"seq2seq", "gpt", "translate", "kernels", "memory", "sgemm"}));
  app.add_option("--threads", s.threads, "threads for OpenBLAS and ag's loops")->check(CLI::Range(1, 256));
  app.add_option("--steps", s.steps, "timed repetitions (the median is reported)")->check(CLI::Range(1, 100000));
  app.add_option("--warmup", s.warmup, "untimed repetitions first")->check(CLI::Range(0, 1000));
  app.add_option("--memory-steps", s.memory_steps, "training steps watched for memory growth")->check(CLI::Range(1, 1000000));
  CLI11_PARSE(app, argc, argv);

  try {
    ag::set_num_threads(s.threads);
    ag::bench::Figures figures;
    if (workload == "seq2seq") figures = ag::bench::seq2seq_step(s);
    if (workload == "gpt") figures = ag::bench::gpt_step(s);
    if (workload == "translate") figures = ag::bench::greedy_translation(s);
    if (workload == "kernels") figures = ag::bench::kernels(s);
    if (workload == "memory") figures = ag::bench::memory(s);
    if (workload == "sgemm") figures = {{"gflops", ag::bench::sgemm_gflops(s.threads)}};
    std::cout << nlohmann::json(figures).dump() << "\n";
  } catch (const ag::Error& e) {
    std::cerr << "ag_bench: " << e.what() << "\n";
    return 1;
  }
}
