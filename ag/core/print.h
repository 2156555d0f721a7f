// Printing tensors the way PyTorch does:
//     tensor([[1.0000, 2.5000],
//             [3.0000, 4.0000]], requires_grad=True)
// `std::cout << t`, `fmt::print("{}", t)` and `ag::to_string(t)` all give this text.
#pragma once
#include <ostream>
#include <string>

#include "ag/core/tensor.h"

namespace ag {

std::string to_string(const Tensor& t);
std::ostream& operator<<(std::ostream& out, const Tensor& t);

}  // namespace ag

template <>
struct fmt::formatter<ag::Tensor> : fmt::formatter<std::string> {
  auto format(const ag::Tensor& t, fmt::format_context& ctx) const {
    return fmt::formatter<std::string>::format(ag::to_string(t), ctx);
  }
};
