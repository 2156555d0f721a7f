// The benchmark's workloads, each timed the same way in ag (ag_bench.cpp) and in PyTorch
// (torch_bench.py). A workload returns named figures; the runner prints them beside PyTorch's.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace ag::nn {
class Module;
}

namespace ag::bench {

using Figures = std::map<std::string, double>;

struct Settings {
  int threads = 1;
  int warmup = 2;
  int steps = 10;          // timed steps (the median is reported)
  int memory_steps = 1000; // steps of the reference workload watched for memory growth
};

// 1. The reference workload: a 3+3-layer encoder-decoder Transformer training step.
// bench/distributed_bench.cpp runs it data-parallel: `before_steps` sees the model once it is built
// (to wrap it in DistributedDataParallel) and `after_backward` runs between backward and the step.
using ModelHook = std::function<void(const std::shared_ptr<nn::Module>&)>;
Figures seq2seq_step(const Settings& s, const ModelHook& before_steps = {}, const std::function<void()>& after_backward = {});
// 2. A character-level GPT training step (decoder-only, causal).
Figures gpt_step(const Settings& s);
// 3. Greedy translation of 100 sentences with the reference model (cached incremental decoding).
Figures greedy_translation(const Settings& s);
// 4. Kernels: matmul, attention, layernorm, softmax, cross-entropy.
Figures kernels(const Settings& s);
// 5. Peak resident memory of the reference workload, and its growth over memory_steps steps.
Figures memory(const Settings& s);

// The sgemm speed of this machine, from one large square cblas_sgemm (GFLOPS).
double sgemm_gflops(int threads);

}  // namespace ag::bench
