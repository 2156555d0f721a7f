// Hostile weights and sizes at the nn boundary: load_state_dict refuses a tensor of the wrong dtype
// and weights holding NaN or infinity; positional tables with absurd max_len are refused before
// anything is allocated. (A file whose shapes overflow is refused by the loader itself:
// tests/core/test_hostile_safetensors.cpp.)
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "ag/ag.h"

using namespace ag;

TEST_CASE("load_state_dict refuses a tensor whose dtype differs from the module's", "[nn][hostile]") {
  nn::Linear linear(3, 2);
  for (Dtype wrong : {kInt64, kFloat64, kBool}) {
    auto state = linear->state_dict();
    state["weight"] = zeros({2, 3}, wrong);
    INFO(dtype_name(wrong));
    CHECK_THROWS_WITH(linear->load_state_dict(state),
                      Catch::Contains(fmt::format("dtype mismatch for weight: the state has {} but the module has "
                                                  "float32", dtype_name(wrong))));
  }
}

TEST_CASE("load_state_dict refuses NaN or infinite parameters and NaN buffers", "[nn][hostile]") {
  nn::Linear linear(3, 2);
  const Tensor before = linear->weight.clone();
  for (double bad : {std::nan(""), std::numeric_limits<double>::infinity()}) {
    auto state = linear->state_dict();
    state["weight"] = ones({2, 3});
    state["weight"].select(0, 1).fill_(bad);
    CHECK_THROWS_WITH(linear->load_state_dict(state), Catch::Contains("weight holds 3 non-finite values"));
  }
  CHECK(allclose(linear->weight, before));  // nothing was copied

  nn::SinusoidalPositionalEncoding pe(4, 8);
  auto state = pe->state_dict();
  state["pe"] = state["pe"].clone();
  state["pe"].select(0, 0).fill_(-std::numeric_limits<double>::infinity());
  CHECK_NOTHROW(pe->load_state_dict(state));  // a buffer may hold infinities (an additive mask does)
  state["pe"].select(0, 1).fill_(std::nan(""));
  CHECK_THROWS_WITH(pe->load_state_dict(state), Catch::Contains("pe holds 4 NaN values"));
}

TEST_CASE("a positional table too large to count or to hold is an ag::Error", "[nn][hostile]") {
  // 2^58 x 64 overflows int64 (it once crashed the constructor); 2^40 x 64 floats is 256 TiB.
  CHECK_THROWS_WITH(nn::SinusoidalPositionalEncoding(64, int64_t{1} << 58),
                    Catch::Contains("SinusoidalPositionalEncoding") && Catch::Contains("288230376151711744"));
  CHECK_THROWS_WITH(nn::SinusoidalPositionalEncoding(64, int64_t{1} << 40),
                    Catch::Contains("SinusoidalPositionalEncoding") && Catch::Contains("machine's memory"));
  CHECK_THROWS_AS(nn::LearnedPositionalEmbedding(int64_t{1} << 58, 64), Error);
  CHECK_THROWS_AS(nn::LearnedPositionalEmbedding(int64_t{1} << 40, 64), Error);
  nn::SinusoidalPositionalEncoding pe(4, 8, 0.0);
  CHECK_THROWS_WITH(pe(ones({2, 4}), std::numeric_limits<int64_t>::max()), Catch::Contains("beyond max_len=8"));
}
