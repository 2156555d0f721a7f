// Tensor::register_post_accumulate_grad_hook: runs once per backward, after leaf.grad() holds the sum
// of every path. Distributed data parallel relies on exactly that to start sending a gradient early.
#include <catch2/catch.hpp>

#include "ag/ag.h"

using namespace ag;

TEST_CASE("a post-accumulate hook sees the leaf's complete gradient, once per backward", "[autograd]") {
  Tensor w = tensor({1.0, 2.0}, requires_grad());
  std::vector<std::vector<float>> seen;
  w.register_post_accumulate_grad_hook([&](const Tensor& leaf) {
    CHECK(leaf.is_same(w));
    seen.push_back(leaf.grad().to_vector<float>());
  });
  (w * 2.0 + w * 3.0).sum().backward();  // two paths, summed before the leaf's accumulator runs
  REQUIRE(seen.size() == 1);
  CHECK(seen[0] == std::vector<float>{5, 5});
  (w * 4.0).sum().backward();  // a second backward accumulates: the hook sees the running sum
  REQUIRE(seen.size() == 2);
  CHECK(seen[1] == std::vector<float>{9, 9});
}

TEST_CASE("a post-accumulate hook runs after the pre-accumulate hooks changed the gradient", "[autograd]") {
  Tensor w = tensor({1.0}, requires_grad());
  w.register_hook([](const Tensor& g) { return g * 10.0; });
  double seen = 0;
  w.register_post_accumulate_grad_hook([&](const Tensor& leaf) { seen = leaf.grad().item(); });
  (w * 3.0).sum().backward();
  CHECK(seen == 30.0);
}

TEST_CASE("a post-accumulate hook is refused on a tensor that accumulates no gradient", "[autograd]") {
  Tensor plain = tensor({1.0});
  CHECK_THROWS_WITH(plain.register_post_accumulate_grad_hook([](const Tensor&) {}),
                    Catch::Contains("not requiring grad"));
  Tensor w = tensor({1.0}, requires_grad());
  CHECK_THROWS_WITH((w * 2.0).register_post_accumulate_grad_hook([](const Tensor&) {}),
                    Catch::Contains("not a leaf"));
}
