// ag::Error: the one exception type every misuse of ag throws.
//
// A user mistake (incompatible shapes, a bad dim, a wrong file) must never abort or crash: it throws
// ag::Error with a message that names the operation and the values involved, so the user can see
// what to fix, e.g. "matmul: cannot multiply (2,3) by (4,5)".
#pragma once
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <stdexcept>
#include <string>

namespace ag {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// AG_CHECK(cond, "fmt string", args...): throw ag::Error with a formatted message unless cond holds.
#define AG_CHECK(cond, ...)                                   \
  do {                                                        \
    if (!(cond)) throw ::ag::Error(::fmt::format(__VA_ARGS__)); \
  } while (0)

}  // namespace ag
