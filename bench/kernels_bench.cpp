// Workload 4: kernels on their own, and the machine's sgemm speed that model FLOP utilisation is
// measured against. Memory-bound kernels report GB/s of the bytes they must move at the least.
#include <cblas.h>

#include <algorithm>
#include <chrono>

#include "ag/ag.h"
#include "bench/workloads.h"
#include "ag/nn/functional/attention.h"
#include "ag/nn/functional/layer_norm.h"
#include "ag/nn/functional/loss.h"

namespace ag::bench {

namespace F = ag::nn::functional;

namespace {

template <typename Fn>
double median_seconds(int reps, Fn&& fn) {
  fn();  // warm-up
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    fn();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

double sgemm_gflops(int threads) {
  set_num_threads(threads);
  constexpr int n = 2048;
  std::vector<float> a(n * n, 0.5f), b(n * n, 0.25f), c(n * n);
  double seconds = median_seconds(5, [&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a.data(), n, b.data(), n, 0, c.data(), n);
  });
  return 2.0 * n * n * n / seconds / 1e9;
}

Figures kernels(const Settings& s) {
  manual_seed(0);
  Figures f;
  const int reps = std::max(5, s.steps);

  // matmul (2048x256) x (256x1024): ag's time against a raw cblas_sgemm of the same shape.
  {
    Tensor a = randn({2048, 256}), b = randn({256, 1024});
    double ag_s = median_seconds(reps, [&] { matmul(a, b); });
    Tensor c = empty({2048, 1024});
    double blas_s = median_seconds(reps, [&] {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2048, 1024, 256, 1, a.data_ptr<float>(), 256,
                  b.data_ptr<float>(), 1024, 0, c.data_ptr<float>(), 1024);
    });
    f["matmul_gflops"] = 2.0 * 2048 * 256 * 1024 / ag_s / 1e9;
    f["matmul_overhead_pct"] = (ag_s / blas_s - 1) * 100;
  }
  // attention forward + backward, (B,H,T,D) = (64,8,32,32), causal.
  {
    Tensor q = randn({64, 8, 32, 32}, requires_grad()), k = randn({64, 8, 32, 32}, requires_grad()),
           v = randn({64, 8, 32, 32}, requires_grad());
    Tensor proj = randn({64, 8, 32, 32});
    double sec = median_seconds(reps, [&] {
      (F::scaled_dot_product_attention(q, k, v, Tensor(), 0, true) * proj).sum().backward();
    });
    f["attention_ms"] = sec * 1000;
    f["attention_gflops"] = 3 * 4.0 * 64 * 8 * 32 * 32 * 32 / sec / 1e9;
  }
  // layernorm forward + backward over (2048, 256): reads x, dy, writes y, dx (4 tensors).
  {
    Tensor x = randn({2048, 256}, requires_grad()), w = ones({256}, requires_grad()), b = zeros({256}, requires_grad());
    Tensor dy = randn({2048, 256});
    double sec = median_seconds(reps, [&] { F::layer_norm(x, {256}, w, b).backward(dy); });
    f["layernorm_gbs"] = 4.0 * 2048 * 256 * 4 / sec / 1e9;
  }
  // softmax forward + backward over (4096, 1024) rows: reads x, dy, writes y, dx.
  {
    Tensor x = randn({4096, 1024}, requires_grad()), dy = randn({4096, 1024});
    double sec = median_seconds(reps, [&] { softmax(x, -1).backward(dy); });
    f["softmax_gbs"] = 4.0 * 4096 * 1024 * 4 / sec / 1e9;
  }
  // cross-entropy over 8000 classes, (2048, 8000) logits, forward + backward: reads logits, writes grad.
  {
    Tensor logits = randn({2048, 8000}, requires_grad());
    Tensor target = randint(0, 8000, {2048});
    double sec = median_seconds(reps, [&] { F::cross_entropy(logits, target, -100, 0.1).backward(); });
    f["cross_entropy_gbs"] = 2.0 * 2048 * 8000 * 4 / sec / 1e9;
  }
  return f;
}

}  // namespace ag::bench
