// Element types. float32 is the default for training; float64 is for gradient checks and for
// learners who want exact numbers; int64 holds token ids and indices; bool holds masks.
//
// Kernels are templates written once; `dispatch_floating` picks the instantiation at run time:
//     dispatch_floating(x.dtype(), "exp", [&]<typename T>() { exp_kernel<T>(...); });
#pragma once
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>

#include "ag/core/error.h"

namespace ag {

enum class Dtype : uint8_t { Float32, Float64, Int64, Bool };

constexpr Dtype kFloat32 = Dtype::Float32;
constexpr Dtype kFloat = Dtype::Float32;
constexpr Dtype kFloat64 = Dtype::Float64;
constexpr Dtype kDouble = Dtype::Float64;
constexpr Dtype kInt64 = Dtype::Int64;
constexpr Dtype kLong = Dtype::Int64;
constexpr Dtype kBool = Dtype::Bool;

inline size_t element_size(Dtype t) {
  switch (t) {
    case Dtype::Float32: return 4;
    case Dtype::Float64: return 8;
    case Dtype::Int64: return 8;
    case Dtype::Bool: return 1;
  }
  return 0;
}

inline const char* dtype_name(Dtype t) {
  switch (t) {
    case Dtype::Float32: return "float32";
    case Dtype::Float64: return "float64";
    case Dtype::Int64: return "int64";
    case Dtype::Bool: return "bool";
  }
  return "?";
}

// `std::cout << ag::kFloat32` prints "Float", as libtorch prints torch::kFloat32 (c10's scalar
// type names: Float, Double, Long, Bool); error messages use dtype_name's "float32" instead.
inline std::ostream& operator<<(std::ostream& out, Dtype t) {
  switch (t) {
    case Dtype::Float32: return out << "Float";
    case Dtype::Float64: return out << "Double";
    case Dtype::Int64: return out << "Long";
    case Dtype::Bool: return out << "Bool";
  }
  return out << "?";
}

inline bool is_floating(Dtype t) { return t == Dtype::Float32 || t == Dtype::Float64; }

// The C++ type that stores each dtype (bool is stored as one byte).
template <typename T> constexpr Dtype dtype_of();
template <> constexpr Dtype dtype_of<float>() { return Dtype::Float32; }
template <> constexpr Dtype dtype_of<double>() { return Dtype::Float64; }
template <> constexpr Dtype dtype_of<int64_t>() { return Dtype::Int64; }
template <> constexpr Dtype dtype_of<uint8_t>() { return Dtype::Bool; }

// Calls f.template operator()<T>() with T = float or double; any other dtype is an error naming `op`.
template <typename F>
decltype(auto) dispatch_floating(Dtype t, const char* op, F&& f) {
  if (t == Dtype::Float32) return f.template operator()<float>();
  if (t == Dtype::Float64) return f.template operator()<double>();
  throw Error(fmt::format("{}: expected a floating-point tensor (float32 or float64), got {}", op,
                          dtype_name(t)));
}

// Like dispatch_floating but for every dtype (bool as uint8_t).
template <typename F>
decltype(auto) dispatch_all(Dtype t, F&& f) {
  switch (t) {
    case Dtype::Float32: return f.template operator()<float>();
    case Dtype::Float64: return f.template operator()<double>();
    case Dtype::Int64: return f.template operator()<int64_t>();
    case Dtype::Bool: break;
  }
  return f.template operator()<uint8_t>();
}

}  // namespace ag
