// The snippets of docs/tensors.md, run: views share storage, strides describe them, in-place
// writes bump the version counter, broadcasting stretches size-1 dims.
#include <catch2/catch.hpp>

#include "ag/ag.h"

using namespace ag;

TEST_CASE("docs/tensors.md: a view shares its storage", "[docs]") {
  Tensor x = arange(6, kFloat32).reshape({2, 3});  // [[0, 1, 2], [3, 4, 5]]
  Tensor y = x.t();                                // (3, 2): the same six numbers, read column by column
  CHECK(x.strides() == Shape{3, 1});  // next row: 3 elements on; next column: 1
  CHECK(y.strides() == Shape{1, 3});  // transposing swaps the strides, nothing moves
  CHECK_FALSE(y.is_contiguous());

  y.select(0, 1).fill_(7);  // y's row 1 is x's column 1
  CHECK(x.to_vector<float>() == std::vector<float>{0, 7, 2, 3, 7, 5});

  Tensor row = x.select(0, 1);  // (3): starts 3 elements into the storage
  CHECK(row.storage_offset() == 3);
  CHECK(row.impl()->storage == x.impl()->storage);
}

TEST_CASE("docs/tensors.md: reshape copies only when it must", "[docs]") {
  Tensor x = arange(6, kFloat32).reshape({2, 3});
  Tensor flat = x.reshape({6});        // contiguous: a view
  Tensor flat_t = x.t().reshape({6});  // transposed: must copy to read in the new order
  CHECK(flat.impl()->storage == x.impl()->storage);
  CHECK(flat_t.impl()->storage != x.impl()->storage);
  CHECK(flat_t.to_vector<float>() == std::vector<float>{0, 3, 1, 4, 2, 5});
  CHECK_THROWS_WITH(x.t().view({6}), Catch::Contains("view: the tensor of shape (3, 2) is not contiguous"));
}

TEST_CASE("docs/tensors.md: broadcasting and expand", "[docs]") {
  Tensor a = ones({2, 3});
  Tensor b = tensor({10.0f, 20.0f, 30.0f});  // (3) stretches to (2, 3)
  CHECK((a + b).to_vector<float>() == std::vector<float>{11, 21, 31, 11, 21, 31});
  Tensor e = b.expand({4, 3});  // a stride-0 view: four rows, one copy of the data
  CHECK(e.strides() == Shape{0, 1});
}

TEST_CASE("docs/tensors.md: in-place writes bump the version counter", "[docs]") {
  Tensor w = ones({3}, requires_grad());
  Tensor y = (w * w).sum();  // mul saves w for its backward
  {
    NoGradGuard no_grad;
    w.mul_(0.5);  // e.g. an optimizer step between forward and backward
  }
  CHECK_THROWS_WITH(y.backward(), Catch::Contains("modified by an in-place operation"));
}
