// nn::init and Dropout with a generator of their own, and a model built under a GeneratorGuard:
// initialisation that does not shift the global random numbers drawn after it.
#include <catch2/catch.hpp>
#include <cmath>

#include "ag/ag.h"

using namespace ag;

namespace {

std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }

}  // namespace

TEST_CASE("nn::init functions given a generator draw from it, not from the global one", "[nn][init][generator]") {
  manual_seed(21);
  const std::string global_before = default_generator().state();
  auto init_all = [](Generator g) {
    std::vector<Tensor> out;
    out.push_back(nn::init::uniform_(empty({3, 4}), -1, 1, g));
    out.push_back(nn::init::normal_(empty({3, 4}), 0.5, 2, g));
    out.push_back(nn::init::xavier_uniform_(empty({3, 4}), 1.0, g));
    out.push_back(nn::init::xavier_normal_(empty({3, 4}), 1.0, g));
    out.push_back(nn::init::kaiming_uniform_(empty({3, 4}), std::sqrt(5.0), "fan_in", "leaky_relu", g));
    out.push_back(nn::init::kaiming_normal_(empty({3, 4}), 0.0, "fan_out", "relu", g));
    return out;
  };
  std::vector<Tensor> a = init_all(Generator(8)), b = init_all(Generator(8));
  for (size_t i = 0; i < a.size(); ++i) CHECK(values(a[i]) == values(b[i]));
  CHECK(default_generator().state() == global_before);
  // With no generator, the global one is used, number for number as Tensor::uniform_.
  manual_seed(4);
  Tensor from_init = nn::init::uniform_(empty({5}), -2, 3);
  manual_seed(4);
  CHECK(values(from_init) == values(empty({5}).uniform_(-2, 3)));
}

TEST_CASE("Dropout's generator option gives its masks their own stream", "[nn][generator]") {
  manual_seed(2);
  const std::string global_before = default_generator().state();
  Tensor x = ones({2, 32});
  nn::Dropout a(nn::DropoutOptions(0.3).generator(Generator(5))), b(nn::DropoutOptions(0.3).generator(Generator(5)));
  CHECK(values(a(x)) == values(b(x)));
  CHECK(values(a(x)) == values(b(x)));  // the streams advance together
  CHECK(default_generator().state() == global_before);
}

TEST_CASE("A model built under a GeneratorGuard leaves the global random numbers unchanged", "[nn][generator]") {
  manual_seed(0);
  Tensor expected = randn({4});

  manual_seed(0);
  nn::Transformer first{nullptr}, second{nullptr};
  auto options = nn::TransformerOptions(8, 2).num_encoder_layers(1).num_decoder_layers(1).dim_feedforward(16);
  {
    GeneratorGuard use(Generator(77));
    first = nn::Transformer(options);
  }
  CHECK(values(randn({4})) == values(expected));  // building the model drew nothing from the global stream
  {
    GeneratorGuard use(Generator(77));
    second = nn::Transformer(options);
  }
  // Same seed, same model.
  auto p1 = first->named_parameters(), p2 = second->named_parameters();
  REQUIRE(p1.size() == p2.size());
  for (size_t i = 0; i < p1.size(); ++i) CHECK(values(p1[i].second) == values(p2[i].second));
}
