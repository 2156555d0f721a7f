// Dropout (Srivastava et al. 2014), "inverted": in training each element is zeroed with probability p
// and the survivors are scaled by 1/(1-p), so evaluation needs no rescaling.
//
// The mask is not drawn element by element from a sequential generator. One 64-bit seed is drawn
// per call from the generator (the global one unless the caller passes its own, so ag::manual_seed
// still reproduces every mask), and element i keeps its value unless hash(seed, i) < p. The hash is
// a pure function of (seed, i), so the loop runs in parallel and vectorizes, and backward
// recomputes the same mask instead of storing it.
#include <algorithm>

#include "ag/core/autograd/function.h"
#include "ag/core/generator.h"
#include "ag/core/ops/op_util.h"

namespace ag {

namespace {

// SplitMix64's finalizer (Steele et al., "Fast splittable pseudorandom number generators", 2014):
// turns the call's seed into well-mixed keys.
inline uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// A 32-bit hash in which every input bit flips every output bit with probability close to 1/2
// (Wellons' "lowbias32"). Per element it is the whole cost of dropout, and 32-bit multiplies
// vectorize eight to an AVX2 register where 64-bit ones (mix64) stay scalar.
inline uint32_t hash32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  return x ^ (x >> 16);
}

// out[i] = x[i] * (keep(i) ? scale : 0) over contiguous data; keep(i) compares hash32 of i, keyed
// twice by the seed, with p * 2^32. Each block of 2^32 elements gets its own keys.
template <typename T>
void apply_mask(T* out, const T* x, int64_t n, uint64_t seed, double p) {
  if (p >= 1) return std::fill(out, out + n, T(0));
  const auto threshold = static_cast<uint32_t>(p * 4294967296.0);
  const auto scale = static_cast<T>(1.0 / (1.0 - p));
  constexpr int64_t kBlock = int64_t{1} << 32;
  for (int64_t start = 0; start < n; start += kBlock) {
    const uint64_t key = mix64(seed + static_cast<uint64_t>(start / kBlock));
    const auto k0 = static_cast<uint32_t>(key), k1 = static_cast<uint32_t>(key >> 32);
    const int64_t len = std::min(kBlock, n - start);
    T* o = out + start;
    const T* xs = x + start;
#pragma omp parallel for simd schedule(static) if (len >= kernels::kParallelGrain)
    for (int64_t i = 0; i < len; ++i) {
      const uint32_t h = hash32(hash32(static_cast<uint32_t>(i) ^ k0) ^ k1);
      o[i] = h >= threshold ? xs[i] * scale : T(0);
    }
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
Tensor dropout(const Tensor& a, double p, bool training, std::optional<Generator> generator) {
  detail::check_defined(a, "dropout");
  AG_CHECK(p >= 0 && p <= 1, "dropout: probability must be between 0 and 1, got {}", p);
  if (!training || p == 0) return a;
  const uint64_t seed = generator.value_or(default_generator()).next_u64();
  return record("Dropout", {a}, masked(a, seed, p), [seed, p](const Tensor& g) {
    return std::vector<Tensor>{masked(g, seed, p)};
  });
}

}  // namespace ag
