// strided_loop: the one loop behind every elementwise op.
//
// N operands (output first) share one broadcast shape; each has its own byte strides (0 along a
// broadcast dim). We first simplify the iteration space: dims of size 1 are dropped and neighbouring
// dims that are contiguous in *every* operand are merged, so a contiguous (64,32,256) tensor becomes
// one run of 524,288 elements and a bias add (B,T,E) + (E) becomes (B*T) rows of E. Then the inner
// function gets one row, or a piece of a long row, at a time: `inner(pointers, inner_byte_strides,
// length)`. Pieces are spread over OpenMP threads when there is enough work.
#pragma once
#include <omp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace ag::kernels {

// Below this many elements a loop runs on one thread: waking threads costs more than it saves.
constexpr int64_t kParallelGrain = 32768;

template <size_t N, typename Inner>
void strided_loop(const std::vector<int64_t>& shape, std::array<char*, N> data,
                  const std::array<std::vector<int64_t>, N>& byte_strides, Inner&& inner) {
  int64_t numel = 1;
  for (int64_t s : shape) numel *= s;
  if (numel == 0) return;

  // Simplify: walk dims from innermost out, dropping size-1 dims and merging contiguous neighbours.
  std::vector<int64_t> sizes;                // innermost first
  std::array<std::vector<int64_t>, N> strides;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    if (shape[d] == 1) continue;
    bool mergeable = !sizes.empty();
    for (size_t k = 0; k < N && mergeable; ++k)
      mergeable = byte_strides[k][d] == strides[k].back() * sizes.back();
    if (mergeable) {
      sizes.back() *= shape[d];
    } else {
      sizes.push_back(shape[d]);
      for (size_t k = 0; k < N; ++k) strides[k].push_back(byte_strides[k][d]);
    }
  }
  if (sizes.empty()) {  // a single element
    sizes.push_back(1);
    for (size_t k = 0; k < N; ++k) strides[k].push_back(0);
  }

  // Rows are cut into pieces of at most kPiece elements, and the pieces shared among the threads: a
  // contiguous tensor is a single row, which would otherwise leave every thread but one idle.
  constexpr int64_t kPiece = 8192;
  const int64_t length = sizes[0];
  const int64_t rows = numel / length;
  const int64_t pieces_per_row = (length + kPiece - 1) / kPiece;
  std::array<int64_t, N> inner_strides;
  for (size_t k = 0; k < N; ++k) inner_strides[k] = strides[k][0];

  auto run_piece = [&](int64_t item) {
    const int64_t row = item / pieces_per_row, start = item % pieces_per_row * kPiece;
    std::array<char*, N> p = data;
    int64_t rest = row;
    for (size_t d = 1; d < sizes.size(); ++d) {
      int64_t i = rest % sizes[d];
      rest /= sizes[d];
      for (size_t k = 0; k < N; ++k) p[k] += i * strides[k][d];
    }
    for (size_t k = 0; k < N; ++k) p[k] += start * inner_strides[k];
    inner(p, inner_strides, std::min(kPiece, length - start));
  };
  const int64_t items = rows * pieces_per_row;
  if (numel >= kParallelGrain && items > 1) {
#pragma omp parallel for schedule(static)
    for (int64_t item = 0; item < items; ++item) run_piece(item);
  } else {
    for (int64_t item = 0; item < items; ++item) run_piece(item);
  }
}

// out[i] = f(a[i]) over one row; the contiguous case is a plain loop the compiler vectorizes.
template <typename R, typename A, typename F>
inline void map_row(std::array<char*, 2> p, std::array<int64_t, 2> s, int64_t n, F& f) {
  R* out = reinterpret_cast<R*>(p[0]);
  const A* a = reinterpret_cast<const A*>(p[1]);
  if (s[0] == sizeof(R) && s[1] == sizeof(A)) {
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i]);
  } else {
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<R*>(p[0] + i * s[0]) = f(*reinterpret_cast<const A*>(p[1] + i * s[1]));
  }
}

// out[i] = f(a[i], b[i]) over one row, with fast paths for contiguous and scalar-broadcast rows.
template <typename R, typename A, typename B, typename F>
inline void map_row(std::array<char*, 3> p, std::array<int64_t, 3> s, int64_t n, F& f) {
  R* out = reinterpret_cast<R*>(p[0]);
  const A* a = reinterpret_cast<const A*>(p[1]);
  const B* b = reinterpret_cast<const B*>(p[2]);
  if (s[0] == sizeof(R) && s[1] == sizeof(A) && s[2] == sizeof(B)) {
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
  } else if (s[0] == sizeof(R) && s[1] == sizeof(A) && s[2] == 0) {
    const B bv = *b;
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], bv);
  } else if (s[0] == sizeof(R) && s[1] == 0 && s[2] == sizeof(B)) {
    const A av = *a;
    for (int64_t i = 0; i < n; ++i) out[i] = f(av, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<R*>(p[0] + i * s[0]) = f(*reinterpret_cast<const A*>(p[1] + i * s[1]),
                                                 *reinterpret_cast<const B*>(p[2] + i * s[2]));
  }
}

}  // namespace ag::kernels
