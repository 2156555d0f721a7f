// Seeded randomness that gives the same numbers with every compiler and standard library.
//
// std::mt19937_64 is specified bit for bit by the C++ standard, but std::uniform_int_distribution and
// std::shuffle are not: libstdc++ and libc++ turn the same engine output into different numbers. The
// loaders and built-in tasks promise "same seed, same data" everywhere, so they draw through these.
#pragma once
#include <cstdint>
#include <limits>
#include <random>
#include <utility>
#include <vector>

namespace ag::data {

using Rng = std::mt19937_64;

// Uniform on [0, n), n > 0, without modulo bias: draws above the largest multiple of n are redrawn.
inline uint64_t uniform_below(Rng& rng, uint64_t n) {
  constexpr uint64_t max = std::numeric_limits<uint64_t>::max();
  const uint64_t limit = max - max % n;
  uint64_t x;
  do x = rng();
  while (x >= limit);
  return x % n;
}

// Uniform on [low, high], both included.
inline int64_t uniform_int(Rng& rng, int64_t low, int64_t high) {
  return low + static_cast<int64_t>(uniform_below(rng, static_cast<uint64_t>(high - low) + 1));
}

// Fisher-Yates (Knuth's Algorithm P): every permutation equally likely.
template <typename T>
void shuffle(std::vector<T>& items, Rng& rng) {
  for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[uniform_below(rng, i)]);
}

}  // namespace ag::data
