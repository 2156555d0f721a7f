// The snippets of docs/attention.md, run: scaled dot-product attention against its formula, the
// causal mask, and MultiheadAttention's shapes and KV cache.
#include <catch2/catch.hpp>
#include <cmath>

#include "ag/ag.h"
#include "ag/nn/attention.h"
#include "ag/nn/functional/attention.h"
#include "ag/nn/transformer.h"  // generate_square_subsequent_mask

using namespace ag;
namespace F = ag::nn::functional;

TEST_CASE("docs/attention.md: the formula", "[docs]") {
  manual_seed(0);
  Tensor q = randn({2, 5, 8}), k = randn({2, 7, 8}), v = randn({2, 7, 4});  // (B,L,E), (B,S,E), (B,S,Ev)
  Tensor fused = F::scaled_dot_product_attention(q, k, v);                     // (B,L,Ev) = (2, 5, 4)
  Tensor scores = matmul(q, k.transpose(-2, -1)) / std::sqrt(8.0);            // (B,L,S)
  Tensor composed = matmul(softmax(scores, -1), v);
  CHECK(fused.sizes() == Shape{2, 5, 4});
  CHECK(allclose(fused, composed, 1e-5, 1e-6));
}

TEST_CASE("docs/attention.md: the causal mask", "[docs]") {
  Tensor q = randn({1, 4, 8}), k = randn({1, 4, 8}), v = randn({1, 4, 8});
  auto [out, weights] = F::scaled_dot_product_attention_with_weights(q, k, v, {}, 0.0, /*is_causal=*/true);
  // Query 0 sees key 0 only; query 3 sees keys 0..3. Row l has zeros after position l.
  CHECK(weights.select(1, 0).to_vector<float>()[1] == 0.0f);
  CHECK(weights.select(1, 3).sum().item() == Approx(1.0));
}

TEST_CASE("docs/attention.md: MultiheadAttention and its cache", "[docs]") {
  manual_seed(0);
  nn::MultiheadAttention attention(/*embed_dim=*/8, /*num_heads=*/2);
  Tensor x = randn({5, 3, 8});  // (L,B,E): 5 positions, a batch of 3
  Tensor causal = nn::generate_square_subsequent_mask(5);
  auto [whole, weights] = attention(x, x, x, Tensor(), true, causal);
  CHECK(whole.sizes() == Shape{5, 3, 8});
  CHECK(weights.sizes() == Shape{3, 5, 5});  // (B,L,S), averaged over the heads

  nn::KVCache cache;  // one position at a time, as a decoder generates
  for (int64_t t = 0; t < 5; ++t) {
    Tensor step = x.narrow(0, t, 1);
    auto [out, unused] = attention->forward_cached(step, step, step, cache);
    CHECK(allclose(out, whole.narrow(0, t, 1), 1e-5, 1e-6));
  }
  CHECK(cache.size() == 5);
}
