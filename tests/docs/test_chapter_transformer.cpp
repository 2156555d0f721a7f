// The snippets of docs/transformer.md, run: a Transformer's shapes, the causal mask, and cached
// decoding giving the same outputs as decoding the whole prefix.
#include <catch2/catch.hpp>
#include <limits>

#include "ag/ag.h"
#include "ag/nn/transformer.h"

using namespace ag;

TEST_CASE("docs/transformer.md: a small Transformer", "[docs]") {
  manual_seed(0);
  nn::Transformer model(nn::TransformerOptions(/*d_model=*/16, /*nhead=*/4)
                            .num_encoder_layers(2)
                            .num_decoder_layers(2)
                            .dim_feedforward(32)
                            .dropout(0.0));
  Tensor src = randn({7, 2, 16});  // (S,B,E): source embeddings
  Tensor tgt = randn({5, 2, 16});  // (T,B,E): target embeddings, shifted right
  Tensor tgt_mask = nn::generate_square_subsequent_mask(5);  // position t sees targets <= t
  Tensor out = model(src, tgt, Tensor(), tgt_mask);          // (T,B,E)
  CHECK(out.sizes() == Shape{5, 2, 16});

  // Inference: encode once, then decode one position at a time from a cache.
  Tensor memory = model->encode(src);
  nn::TransformerDecoderCache cache;
  for (int64_t t = 0; t < 5; ++t) {
    Tensor step = model->decode_step(tgt.narrow(0, t, 1), memory, cache);  // (1,B,E)
    CHECK(allclose(step, out.narrow(0, t, 1), 1e-4, 1e-5));
  }
}

TEST_CASE("docs/transformer.md: the causal mask", "[docs]") {
  Tensor mask = nn::generate_square_subsequent_mask(3);
  const float inf = std::numeric_limits<float>::infinity();
  CHECK(mask.to_vector<float>() == std::vector<float>{0, -inf, -inf, 0, 0, -inf, 0, 0, 0});
}
