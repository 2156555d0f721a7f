// Positional encodings: the sinusoid table and T5's buckets against PyTorch-side references
// (tests/reference/make_attention_fixtures.py), offsets for incremental decoding, layouts, errors.
#include <catch2/catch.hpp>

#include "ag/ag.h"
#include "fixture.h"
#include "ag/nn/positional.h"

using namespace ag;

TEST_CASE("SinusoidalPositionalEncoding's table is the paper's, as PyTorch's tutorial builds it",
          "[attention][positional]") {
  auto fixture = test::load_fixture("attn_sinusoidal.json");
  nn::SinusoidalPositionalEncoding pe(fixture.meta.at("d_model").get<int64_t>(), fixture.meta.at("max_len").get<int64_t>());
  // The tutorial computes the angles in float32, we in float64: at position 63 the angle's
  // float32 rounding (~4e-6) shows in the sine, hence the absolute tolerance.
  test::require_close(pe->pe, fixture.at("pe"), 0, 1e-5, "pe");
  CHECK(pe->named_buffers().size() == 1);
  CHECK(pe->named_parameters().empty());
}

TEST_CASE("SinusoidalPositionalEncoding adds rows offset..offset+T in every layout", "[attention][positional]") {
  nn::SinusoidalPositionalEncoding pe(nn::SinusoidalPositionalEncodingOptions(6).max_len(20).dropout(0.5));
  pe->eval();  // no dropout
  Tensor x = randn({4, 3, 6});  // (T,B,E)
  Tensor expected = x + pe->pe.narrow(0, 2, 4).unsqueeze(1);
  test::require_close(pe(x, 2), expected, 0, 1e-6, "(T,B,E) with offset 2");
  // A step at a time gives the same rows as the whole sequence: what a cached decoder relies on.
  test::require_close(pe(x.narrow(0, 3, 1), 5), expected.narrow(0, 3, 1), 0, 1e-6, "one step at offset 5");
  test::require_close(pe(x.select(1, 0), 2), expected.select(1, 0), 0, 1e-6, "unbatched (T,E)");

  nn::SinusoidalPositionalEncoding batch_first(nn::SinusoidalPositionalEncodingOptions(6).max_len(20).batch_first(true));
  batch_first->eval();
  test::require_close(batch_first(x.transpose(0, 1), 2), expected.transpose(0, 1), 0, 1e-6, "(B,T,E)");

  pe->train();
  manual_seed(1);
  Tensor dropped = pe(x, 2);
  int64_t zeros_seen = 0;
  for (float v : dropped.to_vector<float>()) zeros_seen += v == 0.0f;
  CHECK(zeros_seen > 0);  // dropout is active in training

  CHECK_THROWS_WITH(pe(x, 17), Catch::Contains("positions 17..20 are beyond max_len=20"));
  CHECK_THROWS_WITH(pe(randn({4, 3, 5})), Catch::Contains("x has 5 features in its last dim but the module was "
                                                          "built for d_model=6"));
}

TEST_CASE("LearnedPositionalEmbedding adds trained rows and gets their gradient", "[attention][positional]") {
  manual_seed(2);
  nn::LearnedPositionalEmbedding pos(10, 4);
  REQUIRE(pos->named_parameters().front().first == "weight");
  CHECK(pos->weight.sizes() == Shape{10, 4});
  Tensor x = randn({2, 3, 4});  // (T,B,E)
  Tensor out = pos(x, 5);
  test::require_close(out, x + pos->weight.detach().narrow(0, 5, 2).unsqueeze(1), 0, 1e-6, "rows 5 and 6");
  out.sum().backward();
  std::vector<float> grad = pos->weight.grad().to_vector<float>();
  for (int64_t row = 0; row < 10; ++row)
    for (int64_t c = 0; c < 4; ++c) CHECK(grad[row * 4 + c] == (row == 5 || row == 6 ? 3.0f : 0.0f));  // B = 3
  CHECK_THROWS_WITH(pos(x, 9), Catch::Contains("beyond max_len=10"));
}

TEST_CASE("relative position buckets are T5's", "[attention][positional]") {
  auto fixture = test::load_fixture("attn_relative_buckets.json");
  std::vector<int64_t> relative = fixture.at("relative_position").to_vector<int64_t>();
  const auto& cases = fixture.meta.at("cases");
  for (size_t c = 0; c < cases.size(); ++c) {
    nn::RelativePositionOptions options = nn::RelativePositionOptions()
                                              .num_buckets(cases[c].at("num_buckets"))
                                              .max_distance(cases[c].at("max_distance"))
                                              .bidirectional(cases[c].at("bidirectional"));
    std::vector<int64_t> expected = fixture.at(fmt::format("buckets.{}", c)).to_vector<int64_t>();
    for (size_t i = 0; i < relative.size(); ++i) {
      INFO(fmt::format("case {}, relative position {}", c, relative[i]));
      REQUIRE(nn::relative_position_bucket(relative[i], options) == expected[i]);
    }
  }
}

TEST_CASE("RelativePositionBias gives (H,L,S) per-head biases from its table", "[attention][positional]") {
  nn::RelativePositionBias bias(8, 20, 3, true);
  CHECK(bias->weight.sizes() == Shape{8, 3});
  CHECK(bias->weight.abs().max().item() == 0.0);  // starts as plain content attention
  bias->weight.detach().copy_(arange(24.0).reshape({8, 3}));
  Tensor full = bias->forward(4, 4);
  REQUIRE(full.sizes() == Shape{3, 4, 4});
  for (int64_t h = 0; h < 3; ++h)
    for (int64_t l = 0; l < 4; ++l)
      for (int64_t s = 0; s < 4; ++s)
        CHECK(full.select(0, h).select(0, l).select(0, s).item() ==
              3.0 * nn::relative_position_bucket(s - l, bias->options) + h);
  // A cached decoding step: one query, the last of four positions, sees the full pass's last row.
  test::require_close(bias->forward(1, 4), full.narrow(1, 3, 1), 0, 1e-12, "last query row");
  CHECK_THROWS_WITH(nn::RelativePositionBias(2, 20, 3, true), Catch::Contains("at least 2 buckets per direction"));
}
