// Every documented misuse throws ag::Error with a message that names the op and the shapes.
#include <catch2/catch.hpp>

#include "ag/ag.h"

using namespace ag;
using Catch::Contains;

TEST_CASE("shape mistakes name the op and both shapes", "[errors]") {
  CHECK_THROWS_AS(matmul(zeros({2, 3}), zeros({4, 5})), Error);
  CHECK_THROWS_WITH(matmul(zeros({2, 3}), zeros({4, 5})), "matmul: cannot multiply (2, 3) by (4, 5) (3 columns vs 4 rows)");
  CHECK_THROWS_WITH(zeros({2, 3}) + zeros({4}), "add: shapes (2, 3) and (4) cannot be broadcast together (dim 1 is 3 vs 4)");
  CHECK_THROWS_WITH(zeros({6}).reshape({4, -1}), Contains("reshape: shape (4, -1) is invalid for input of shape (6)"));
  CHECK_THROWS_WITH(zeros({6}).reshape({-1, -1}), Contains("only one dimension can be -1"));
  CHECK_THROWS_WITH(zeros({2, 3}).expand({4, 3, 2}), Contains("expand: the size of dim"));
  CHECK_THROWS_WITH(zeros({2, 3}).narrow(1, 2, 2), Contains("narrow: start 2 + length 2 exceeds dim 1 of size 3"));
  CHECK_THROWS_WITH(zeros({2, 3}).select(0, 2), Contains("select: index 2 is out of range for dim 0 of size 2"));
  CHECK_THROWS_WITH(zeros({2}).permute({0, 0}), Contains("permute: got 2 dims"));
  CHECK_THROWS_WITH(zeros({2, 2}).permute({1, 1}), Contains("dim 1 appears twice"));
}

TEST_CASE("dim mistakes give the valid range", "[errors]") {
  CHECK_THROWS_WITH(sum(zeros({2, 3}), {2}), "sum: dim 2 is out of range for a tensor with 2 dims (expected -2 to 1)");
  CHECK_THROWS_WITH(softmax(zeros({2, 3}), -3), Contains("softmax: dim -3 is out of range"));
  CHECK_THROWS_WITH(zeros({2}).transpose(0, 1), Contains("transpose: dim 1 is out of range"));
  CHECK_THROWS_WITH(sum(zeros({2, 3}), {1, 1}), Contains("sum: dim appears twice"));
}

TEST_CASE("dtype mistakes say how to convert", "[errors]") {
  CHECK_THROWS_WITH(zeros({2}) + zeros({2}, kFloat64), "add: dtype mismatch: float32 and float64 (convert one with .to(dtype))");
  CHECK_THROWS_WITH(exp(arange(3, kInt64)), Contains("exp: expected a floating-point tensor"));
  CHECK_THROWS_WITH(arange(3, kInt64).requires_grad_(), Contains("only floating-point tensors can require grad"));
  CHECK_THROWS_WITH(zeros({2}).data_ptr<double>(), Contains("tensor is float32 but the pointer type asked for is float64"));
  CHECK_THROWS_WITH(where(ones({2}), ones({2}), ones({2})), Contains("condition must be a bool tensor"));
  CHECK_THROWS_WITH(index_select(ones({3}), 0, ones({1})), Contains("indices must be an int64 tensor"));
}

TEST_CASE("value mistakes are reported, not silently used", "[errors]") {
  CHECK_THROWS_WITH(dropout(ones({2}), 1.5), Contains("between 0 and 1"));
  CHECK_THROWS_WITH(gelu(ones({2}), "fast"), Contains("approximate must be"));
  CHECK_THROWS_WITH(ones({2, 2}).item(), Contains("only a tensor with one element"));
  CHECK_THROWS_WITH(arange(0, 5, -1), Contains("arange"));
  CHECK_THROWS_WITH(zeros({-1}), Contains("negative dimension"));
  CHECK_THROWS_WITH(Tensor() + ones({1}), Contains("undefined tensor"));
  CHECK_THROWS_WITH(Tensor().backward(), Contains("undefined"));
  CHECK_THROWS_WITH(ones({1}).backward(), Contains("does not require grad"));
  CHECK_THROWS_WITH(default_generator().set_state("garbage"), Contains("corrupt"));
}
