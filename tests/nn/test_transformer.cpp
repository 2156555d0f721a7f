// Transformer layers, stacks and the encoder-decoder: PyTorch's parameter names, the causal mask,
// padding that never leaks, cached incremental decoding equal to the full pass, beam reordering,
// and errors.
#include <catch2/catch.hpp>
#include <cmath>

#include "ag/ag.h"
#include "fixture.h"
#include "ag/nn/transformer.h"

using namespace ag;

namespace {

// (B, max_len) bool, true at padding: each row is padding from its length on.
Tensor padding_mask(const std::vector<double>& lengths, int64_t max_len) {
  return ge(arange(max_len, kFloat64), from_vector(lengths, {static_cast<int64_t>(lengths.size()), 1}));
}

nn::TransformerOptions small_options() {
  return nn::TransformerOptions(8, 2).num_encoder_layers(2).num_decoder_layers(2).dim_feedforward(16).dropout(0.0);
}

}  // namespace

TEST_CASE("generate_square_subsequent_mask is 0 on and below the diagonal, -inf above", "[transformer]") {
  std::vector<float> mask = nn::generate_square_subsequent_mask(3).to_vector<float>();
  const float inf = std::numeric_limits<float>::infinity();
  CHECK(mask == std::vector<float>{0, -inf, -inf, 0, 0, -inf, 0, 0, 0});
  CHECK(nn::generate_square_subsequent_mask(2, kFloat64).dtype() == kFloat64);
  // libtorch's static spelling gives the same mask.
  CHECK(nn::TransformerImpl::generate_square_subsequent_mask(3).to_vector<float>() == mask);
}

TEST_CASE("Transformer's parameters are named as PyTorch's", "[transformer]") {
  nn::Transformer model(small_options());
  std::map<std::string, Shape> shapes;
  for (const auto& [name, p] : model->named_parameters()) shapes[name] = p.sizes();
  CHECK(shapes.at("encoder.layers.0.self_attn.in_proj_weight") == Shape{24, 8});
  CHECK(shapes.at("encoder.layers.1.linear1.weight") == Shape{16, 8});
  CHECK(shapes.at("encoder.norm.weight") == Shape{8});
  CHECK(shapes.at("decoder.layers.1.multihead_attn.out_proj.bias") == Shape{8});
  CHECK(shapes.at("decoder.layers.0.norm3.bias") == Shape{8});
  CHECK(shapes.at("decoder.norm.bias") == Shape{8});
  // Per encoder layer: attention 4, two linears 4, two norms 4; per decoder layer 8 + 4 + 6.
  CHECK(shapes.size() == 2 * 12 + 2 + 2 * 18 + 2);
}

TEST_CASE("padded source and target positions never leak into real outputs or gradients", "[transformer]") {
  manual_seed(31);
  for (bool norm_first : {false, true}) {
    INFO("norm_first = " << norm_first);
    nn::Transformer model(small_options().norm_first(norm_first));
    Tensor src = randn({6, 2, 8}).requires_grad_(), tgt = randn({5, 2, 8}).requires_grad_();
    Tensor src_padding = padding_mask({6, 4}, 6), tgt_padding = padding_mask({5, 3}, 5);
    Tensor causal = nn::generate_square_subsequent_mask(5);
    auto run = [&](const Tensor& s, const Tensor& t) {
      return model(s, t, Tensor(), causal, Tensor(), src_padding, tgt_padding, src_padding);
    };
    Tensor out = run(src, tgt);
    Tensor real = out.select(1, 1).narrow(0, 0, 3);  // batch 1's real target positions
    real.sum().backward();
    CHECK(src.grad().select(1, 1).narrow(0, 4, 2).abs().max().item() == 0.0);
    CHECK(tgt.grad().select(1, 1).narrow(0, 3, 2).abs().max().item() == 0.0);

    Tensor src2 = src.detach().clone(), tgt2 = tgt.detach().clone();
    src2.select(1, 1).narrow(0, 4, 2).fill_(50.0);
    tgt2.select(1, 1).narrow(0, 3, 2).fill_(-50.0);
    Tensor again = run(src2, tgt2);
    test::require_close(again.select(1, 1).narrow(0, 0, 3), real, 0, 1e-5, "real positions with padding changed");
    test::require_close(again.select(1, 0), out.select(1, 0), 0, 1e-5, "the unpadded sequence");
  }
}

TEST_CASE("decode_step, one token at a time with a cache, equals decoding the whole prefix", "[transformer]") {
  manual_seed(32);
  auto relative = nn::RelativePositionOptions().num_buckets(8).max_distance(12);
  struct Case {
    const char* name;
    nn::TransformerOptions options;
  };
  for (const Case& c : {Case{"post-LN", small_options()}, Case{"pre-LN, gelu", small_options().norm_first(true).activation("gelu")},
                        Case{"relative position bias", small_options().relative_position(relative)},
                        Case{"batch_first", small_options().batch_first(true)}}) {
    INFO(c.name);
    nn::Transformer model(c.options);
    model->eval();
    const bool bf = c.options.batch_first();
    const int64_t time_dim = bf ? 1 : 0;
    Tensor src = bf ? randn({3, 6, 8}) : randn({6, 3, 8}), tgt = bf ? randn({3, 5, 8}) : randn({5, 3, 8});
    Tensor src_padding = padding_mask({6, 4, 5}, 6);
    NoGradGuard no_grad;
    Tensor memory = model->encode(src, Tensor(), src_padding);
    Tensor full = model->decode(tgt, memory, nn::generate_square_subsequent_mask(5), Tensor(), Tensor(), src_padding);
    nn::TransformerDecoderCache cache;
    for (int64_t t = 0; t < 5; ++t) {
      Tensor step = model->decode_step(tgt.narrow(time_dim, t, 1), memory, cache, src_padding);
      test::require_close(step, full.narrow(time_dim, t, 1), 1e-5, 1e-6, fmt::format("step {}", t));
      CHECK(cache.size() == t + 1);
    }
  }
}

TEST_CASE("TransformerDecoderCache::reorder follows the beams", "[transformer]") {
  manual_seed(33);
  nn::Transformer model(small_options());
  model->eval();
  NoGradGuard no_grad;
  Tensor src = randn({4, 2, 8}), tgt = randn({3, 2, 8});
  Tensor memory = model->encode(src);
  nn::TransformerDecoderCache cache;
  for (int64_t t = 0; t < 2; ++t) model->decode_step(tgt.narrow(0, t, 1), memory, cache);
  Tensor beams = from_vector(std::vector<int64_t>{1, 1, 0}, {3});  // three beams from two sentences
  cache.reorder(beams);
  Tensor beam_tgt = index_select(tgt, 1, beams), beam_memory = index_select(memory, 1, beams);
  Tensor full = model->decode(beam_tgt, beam_memory, nn::generate_square_subsequent_mask(3));
  test::require_close(model->decode_step(beam_tgt.narrow(0, 2, 1), beam_memory, cache), full.narrow(0, 2, 1), 1e-5,
                      1e-6, "the step after reordering");
}

TEST_CASE("TransformerDecoderLayer::forward_with_cross_attention returns where each position looked",
          "[transformer]") {
  manual_seed(35);
  for (bool norm_first : {false, true}) {
    nn::TransformerDecoderLayer layer(
        nn::TransformerDecoderLayerOptions(8, 2).dim_feedforward(16).dropout(0.0).norm_first(norm_first));
    Tensor tgt = randn({4, 2, 8}), memory = randn({6, 2, 8}), padding = padding_mask({6, 3}, 6);
    Tensor causal = nn::generate_square_subsequent_mask(4);
    auto [out, weights] = layer->forward_with_cross_attention(tgt, memory, causal, Tensor(), Tensor(), padding);
    test::require_close(out, layer(tgt, memory, causal, Tensor(), Tensor(), padding), 0, 1e-7, "output");
    // Recomputed by hand: the cross-attention's query is the state after the self-attention block.
    auto self_block = [&](const Tensor& h) { return std::get<0>(layer->self_attn(h, h, h, Tensor(), false, causal)); };
    Tensor query = norm_first ? layer->norm2(tgt + self_block(layer->norm1(tgt))) : layer->norm1(tgt + self_block(tgt));
    test::require_close(weights, std::get<1>(layer->multihead_attn(query, memory, memory, padding)), 0, 1e-7,
                        "weights (B,T,S)");
    CHECK(weights.select(0, 1).narrow(1, 3, 3).abs().max().item() == 0.0);  // padded memory is never looked at
  }
}

TEST_CASE("Transformer layers: dropout acts in training only", "[transformer]") {
  manual_seed(34);
  nn::TransformerEncoderLayer layer(nn::TransformerEncoderLayerOptions(8, 2).dim_feedforward(16).dropout(0.5));
  Tensor x = randn({4, 2, 8});
  layer->eval();
  Tensor a = layer(x), b = layer(x);
  CHECK(allclose(a, b));
  layer->train();
  CHECK_FALSE(allclose(layer(x), a));
}

TEST_CASE("Transformer errors say what to fix", "[transformer]") {
  CHECK_THROWS_WITH(nn::TransformerEncoderLayer(nn::TransformerEncoderLayerOptions(8, 2).activation("tanh")),
                    Catch::Contains("activation must be \"relu\" or \"gelu\", got \"tanh\""));
  nn::Transformer model(small_options());
  CHECK_THROWS_WITH(model(randn({6, 3, 8}), randn({5, 2, 8})),
                    Catch::Contains("must have the same batch size (dim 1)"));
  CHECK_THROWS_WITH(model(randn({6, 2, 4}), randn({5, 2, 4})), Catch::Contains("must have d_model = 8 features"));
  nn::TransformerDecoderCache cache;
  cache.layers.resize(5);
  CHECK_THROWS_WITH(model->decode_step(randn({1, 2, 8}), randn({4, 2, 8}), cache),
                    Catch::Contains("the cache holds 5 layers but the decoder has 2"));
}
