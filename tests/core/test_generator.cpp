// Generators of one's own: ag::randn/rand/randint and dropout given a Generator draw from it and
// leave the global generator where it was; GeneratorGuard points the global one at a generator.
#include <catch2/catch.hpp>

#include "ag/ag.h"

using namespace ag;

namespace {

std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }

}  // namespace

TEST_CASE("A seeded Generator gives the same tensors and leaves the global generator alone", "[generator]") {
  manual_seed(1);
  const std::string global_before = default_generator().state();
  Generator a(42), b(42);
  Tensor ra = randn({4, 3}, a, kFloat64), ua = rand({5}, a), ia = randint(0, 10, {6}, a);
  Tensor rb = randn({4, 3}, b, kFloat64), ub = rand({5}, b), ib = randint(0, 10, {6}, b);
  CHECK(ra.dtype() == kFloat64);
  CHECK(values(ra) == values(rb));
  CHECK(values(ua) == values(ub));
  CHECK(values(ia) == values(ib));
  CHECK(default_generator().state() == global_before);
  // Another seed, other numbers.
  CHECK(values(randn({4, 3}, Generator(43), kFloat64)) != values(ra));
  // The global generator's numbers come from its own stream: the same as with no generator in sight.
  Tensor global_draw = randn({3});
  manual_seed(1);
  CHECK(values(randn({3})) == values(global_draw));
}

TEST_CASE("Copies of a Generator share its engine; clone() makes an independent one", "[generator]") {
  Generator g(7);
  Generator shared = g;
  Generator fork = g.clone();
  CHECK(shared.is_same(g));
  CHECK_FALSE(fork.is_same(g));
  Tensor first = rand({4}, shared);  // advances g too
  CHECK(values(rand({4}, fork)) == values(first));
  CHECK(values(rand({4}, g)) != values(first));
}

TEST_CASE("dropout with a generator draws its mask from it", "[generator]") {
  manual_seed(3);
  const std::string global_before = default_generator().state();
  Tensor x = ones({64}, kFloat64);
  Tensor m1 = dropout(x, 0.5, true, Generator(11)), m2 = dropout(x, 0.5, true, Generator(11));
  CHECK(values(m1) == values(m2));
  CHECK(values(dropout(x, 0.5, true, Generator(12))) != values(m1));
  CHECK(default_generator().state() == global_before);
}

TEST_CASE("GeneratorGuard points the global generator at another for its scope", "[generator]") {
  manual_seed(5);
  Tensor expected_global = randn({3});
  manual_seed(5);
  Generator g(9);
  Tensor inside;
  {
    GeneratorGuard use(g);
    inside = randn({4});  // drawn from g
    {
      GeneratorGuard nested(Generator(1));
      randn({100});  // from the nested generator: neither g nor the global one moves
    }
    // g's 5th and 6th numbers: the nested guard did not move it.
    CHECK(values(randn({2})) == values(randn({6}, Generator(9)).slice(0, 4, 6)));
  }
  CHECK(values(inside) == values(randn({4}, Generator(9))));
  CHECK(values(randn({3})) == values(expected_global));  // the global stream did not move
}
