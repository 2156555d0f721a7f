// Identity, Flatten, Functional, Tanh and Sigmoid as layers of a Sequential.
#include <catch2/catch.hpp>

#include "ag/ag.h"

using namespace ag;

namespace {
std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }
}  // namespace

TEST_CASE("Flatten, Identity, Functional, Tanh and Sigmoid work as Sequential layers", "[nn][modules]") {
  Tensor x = randn({2, 3, 4});
  CHECK(nn::Flatten()(x).sizes() == Shape{2, 12});
  CHECK(nn::Flatten(nn::FlattenOptions().start_dim(0).end_dim(1))(x).sizes() == Shape{6, 4});
  CHECK(values(nn::Identity()(x)) == values(x));
  CHECK(values(nn::Tanh()(x)) == values(tanh(x)));
  CHECK(values(nn::Sigmoid()(x)) == values(sigmoid(x)));

  nn::Sequential net(nn::Flatten(), nn::Linear(12, 5), nn::Tanh(),
                     nn::Functional([](const Tensor& h) { return h * 2.0; }), nn::Identity());
  Tensor y = net(x);
  CHECK(y.sizes() == Shape{2, 5});
  CHECK(net->to_string().find("(0): Flatten(start_dim=1, end_dim=-1)") != std::string::npos);
  nn::Sequential copy = nn::clone(net);  // each of them clones
  CHECK(values(copy(x)) == values(y));
  CHECK_THROWS_WITH(nn::Functional(nn::FunctionalImpl::Function()), Catch::Contains("Functional: the function is empty"));
}
