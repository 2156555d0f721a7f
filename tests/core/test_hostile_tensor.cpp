// Hostile and careless use of the tensor API: shapes whose element count overflows, sizes beyond the
// machine's memory, views with absurd arguments, and every accessor of an undefined tensor. Each is
// an ag::Error; none wraps around, allocates a wrong size or dereferences null.
#include <catch2/catch.hpp>
#include <limits>

#include "ag/ag.h"

using namespace ag;

TEST_CASE("a shape with more elements than int64 can count is refused", "[tensor][hostile]") {
  // (2^62) x 4 wraps to 0 elements: zeros() once succeeded and select(0, 1000000) read wild memory.
  CHECK_THROWS_WITH(zeros({int64_t{1} << 62, 4}), Catch::Contains("more elements than ag allows"));
  CHECK_THROWS_AS(zeros({int64_t{1} << 40, int64_t{1} << 40}), Error);
  CHECK_THROWS_AS(empty({int64_t{1} << 59, 4}, kFloat64), Error);  // 2^61 elements: bytes would overflow
  // A broadcast view allocates nothing, but its element count is still checked.
  CHECK_THROWS_AS(ones({1}).expand({int64_t{1} << 62, 4}).numel(), Error);
  CHECK_THROWS_AS(ones({4}).view({int64_t{1} << 62, int64_t{1} << 62, -1}), Error);
}

TEST_CASE("a size beyond the machine's memory is an ag::Error before anything is allocated", "[tensor][hostile]") {
  CHECK_THROWS_WITH(empty({int64_t{1} << 45}), Catch::Contains("more than this machine's memory"));
  CHECK_THROWS_WITH(check_fits_in_memory(physical_memory_bytes() + 1, "test"), Catch::Contains("test: needs"));
  CHECK_NOTHROW(check_fits_in_memory(1 << 20, "test"));
}

TEST_CASE("checked arithmetic refuses negatives and overflow, naming what was computed", "[tensor][hostile]") {
  CHECK(checked_mul(3, 4, "x") == 12);
  CHECK(checked_add(3, 4, "x") == 7);
  CHECK(checked_numel({2, 3, 0}, "x") == 0);
  CHECK_THROWS_WITH(checked_mul(-1, 4, "rows x cols"), Catch::Contains("rows x cols") && Catch::Contains("-1"));
  CHECK_THROWS_WITH(checked_mul(int64_t{1} << 31, int64_t{1} << 31, "x"), Catch::Contains("2147483648"));
  CHECK_THROWS_AS(checked_add(std::numeric_limits<int64_t>::max(), 1, "x"), Error);
  CHECK_THROWS_WITH(checked_numel({4, -2}, "w"), Catch::Contains("w: shape (4, -2) has a negative size -2"));
}

TEST_CASE("narrow and slice with extreme arguments stay in bounds", "[tensor][hostile]") {
  const Tensor x = arange(4);
  const int64_t huge = std::numeric_limits<int64_t>::max();
  CHECK_THROWS_WITH(x.narrow(0, 2, huge), Catch::Contains("exceeds dim 0 of size 4"));
  CHECK_THROWS_AS(x.narrow(0, 5, 0), Error);
  CHECK(x.slice(0, 1, 4, huge).to_vector<float>() == std::vector<float>{1});
  CHECK(x.slice(0, std::numeric_limits<int64_t>::min(), huge).numel() == 4);
  CHECK_THROWS_AS(x.select(0, std::numeric_limits<int64_t>::min()), Error);
}

TEST_CASE("every accessor of an undefined tensor throws ag::Error", "[tensor][hostile]") {
  const Tensor t;
  CHECK_THROWS_WITH(t.numel(), Catch::Contains("numel: the tensor is undefined"));
  CHECK_THROWS_WITH(t.dim(), Catch::Contains("dim: the tensor is undefined"));
  CHECK_THROWS_WITH(t.sizes(), Catch::Contains("sizes: the tensor is undefined"));
  CHECK_THROWS_WITH(t.requires_grad(), Catch::Contains("requires_grad: the tensor is undefined"));
  CHECK_THROWS_AS(t.strides(), Error);
  CHECK_THROWS_AS(t.size(0), Error);
  CHECK_THROWS_AS(t.stride(0), Error);
  CHECK_THROWS_AS(t.dtype(), Error);
  CHECK_THROWS_AS(t.storage_offset(), Error);
  CHECK_THROWS_AS(t.version(), Error);
  CHECK_THROWS_AS(t.is_contiguous(), Error);
  CHECK_THROWS_AS(t.grad(), Error);
  CHECK_THROWS_AS(t.mutable_grad(), Error);
  CHECK_THROWS_AS(t.grad_fn(), Error);
  CHECK_THROWS_AS(t.is_leaf(), Error);
  CHECK_THROWS_AS(t.retains_grad(), Error);
  CHECK_THROWS_AS(t.retain_grad(), Error);
  CHECK_THROWS_AS(Tensor().requires_grad_(), Error);
  CHECK_THROWS_AS(t.detach(), Error);
  CHECK_THROWS_AS(t.item(), Error);
  CHECK_THROWS_AS(t.to_vector<float>(), Error);
  CHECK_FALSE(t.defined());
}
