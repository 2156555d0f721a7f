// Dropout (Srivastava et al. 2014), "inverted": in training each element is zeroed with probability p
// and the survivors are scaled by 1/(1-p), so evaluation needs no rescaling.
//
// The mask is not drawn element by element from a sequential generator. One 64-bit seed is drawn
// from the global generator per call (so ag::manual_seed still reproduces every mask), and element i
// keeps its value unless hash(seed, i) < p. The hash is a pure function of (seed, i), so the loop
// runs in parallel and vectorizes, and backward recomputes the same mask instead of storing it.
#include "core/autograd/function.h"
#include "core/generator.h"
#include "core/ops/op_util.h"

namespace ag {

namespace {

// SplitMix64's finalizer (Steele et al., "Fast splittable pseudorandom number generators", 2014):
// consecutive inputs give statistically independent outputs.
inline uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// out[i] = x[i] * (keep(i) ? scale : 0) over contiguous data; keep(i) compares 32 hash bits with p.
template <typename T>
void apply_mask(T* out, const T* x, int64_t n, uint64_t seed, double p) {
  const auto threshold = static_cast<uint64_t>(p * 4294967296.0);
  const T scale = p >= 1 ? T(0) : static_cast<T>(1.0 / (1.0 - p));
#pragma omp parallel for schedule(static) if (n >= kernels::kParallelGrain)
  for (int64_t i = 0; i < n; ++i) {
    const bool keep = (mix64(seed + static_cast<uint64_t>(i)) >> 32) >= threshold;
    out[i] = keep ? x[i] * scale : T(0);
  }
}

Tensor masked(const Tensor& x_in, uint64_t seed, double p) {
  Tensor x = x_in.contiguous();
  Tensor out = empty(x.sizes(), x.dtype());
  dispatch_floating(x.dtype(), "dropout", [&]<typename T>() {
    apply_mask<T>(out.data_ptr<T>(), x.data_ptr<T>(), x.numel(), seed, p);
  });
  return out;
}

}  // namespace

// Backward: the same mask and scale applied to the gradient.
Tensor dropout(const Tensor& a, double p, bool training) {
  detail::check_defined(a, "dropout");
  AG_CHECK(p >= 0 && p <= 1, "dropout: probability must be between 0 and 1, got {}", p);
  if (!training || p == 0) return a;
  const uint64_t seed = default_generator().next_u64();
  return record("DropoutBackward", {a}, masked(a, seed, p), [seed, p](const Tensor& g) {
    return std::vector<Tensor>{masked(g, seed, p)};
  });
}

}  // namespace ag
