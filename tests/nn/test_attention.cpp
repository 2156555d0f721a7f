// scaled_dot_product_attention: the fused op against its composed twin built from ag ops,
// float64 gradient checks for every mask kind, and what a fully masked row gives; then
// MultiheadAttention: layout, initialisation, masking, the KV cache for incremental decoding, errors.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "ag/ag.h"
#include "fixture.h"
#include "ag/nn/attention.h"
#include "ag/nn/functional/attention.h"
#include "ag/nn/init.h"
#include "ag/nn/transformer.h"

using namespace ag;
namespace F = ag::nn::functional;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

// (L,S) bool, true where key s comes after query l: what is_causal hides.
Tensor future_positions(int64_t L, int64_t S) {
  std::vector<bool> hidden(L * S);
  for (int64_t l = 0; l < L; ++l)
    for (int64_t s = 0; s < S; ++s) hidden[l * S + s] = s > l;
  return from_vector(hidden, {L, S});
}

// The twin, one ag op per step: softmax(q k^T * scale + mask) v. A fully masked row gives NaN here.
Tensor composed_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask, bool causal) {
  Tensor scores = matmul(q, k.transpose(-2, -1)) * (1.0 / std::sqrt(static_cast<double>(q.size(-1))));
  if (mask.defined()) scores = mask.dtype() == kBool ? masked_fill(scores, logical_not(mask), -kInf) : scores + mask;
  if (causal) scores = masked_fill(scores, future_positions(q.size(-2), k.size(-2)), -kInf);
  return matmul(softmax(scores, -1), v);
}

// A random bool mask (true = take part) in which every query row keeps at least key 0.
Tensor random_keep_mask(const Shape& shape) {
  Tensor keep = lt(rand(shape, kFloat64), full({}, 0.6, kFloat64));
  keep.narrow(-1, 0, 1).fill_(1);
  return keep;
}

// fn's output and the gradients of sum(output * projection) with respect to fresh copies of inputs.
std::pair<Tensor, std::vector<Tensor>> run_with_grads(const Fn& fn, const std::vector<Tensor>& inputs,
                                                      const Tensor& projection) {
  std::vector<Tensor> leaves;
  for (const Tensor& t : inputs) leaves.push_back(t.detach().clone().requires_grad_(true));
  Tensor out = fn(leaves);
  sum(out * projection).backward();
  std::vector<Tensor> grads;
  for (const Tensor& leaf : leaves) grads.push_back(leaf.grad());
  return {out, grads};
}

void require_gradcheck(const Fn& fn, const std::vector<Tensor>& inputs) {
  GradcheckResult result = gradcheck(fn, inputs);
  INFO(result.message);
  REQUIRE(result.ok);
}

}  // namespace

TEST_CASE("sdpa: the fused op matches the composed twin, forward and backward", "[attention]") {
  manual_seed(7);
  const Tensor q = randn({2, 3, 4, 6}, kFloat64), k = randn({2, 3, 5, 6}, kFloat64), v = randn({2, 3, 5, 7}, kFloat64);
  const Tensor float_mask = randn({4, 5}, kFloat64), bool_mask = random_keep_mask({2, 1, 4, 5});
  const Tensor projection = randn({2, 3, 4, 7}, kFloat64);
  struct Case {
    const char* name;
    Tensor mask;
    bool causal;
  };
  for (const Case& c : {Case{"no mask", {}, false}, Case{"bool mask", bool_mask, false},
                        Case{"float mask", float_mask, false}, Case{"causal", {}, true},
                        Case{"bool mask and causal", bool_mask, true}}) {
    auto fused = run_with_grads(
        [&](const std::vector<Tensor>& in) {
          return F::scaled_dot_product_attention(in[0], in[1], in[2], c.mask, 0, c.causal);
        },
        {q, k, v}, projection);
    auto twin = run_with_grads(
        [&](const std::vector<Tensor>& in) { return composed_attention(in[0], in[1], in[2], c.mask, c.causal); },
        {q, k, v}, projection);
    ag::test::require_close(fused.first, twin.first, 1e-12, 1e-12, std::string(c.name) + ": output");
    for (size_t i = 0; i < 3; ++i)
      ag::test::require_close(fused.second[i], twin.second[i], 1e-12, 1e-12,
                              fmt::format("{}: gradient of input {}", c.name, i));
  }
}

TEST_CASE("sdpa: float64 gradient checks for every mask kind", "[attention]") {
  manual_seed(11);
  const Tensor q = randn({2, 3, 4}, kFloat64).requires_grad_(), k = randn({2, 5, 4}, kFloat64).requires_grad_(),
               v = randn({2, 5, 3}, kFloat64).requires_grad_();
  const Tensor keep = random_keep_mask({3, 5});
  SECTION("no mask") {
    require_gradcheck([](auto& in) { return F::scaled_dot_product_attention(in[0], in[1], in[2]); }, {q, k, v});
  }
  SECTION("bool mask") {
    require_gradcheck([&](auto& in) { return F::scaled_dot_product_attention(in[0], in[1], in[2], keep); },
                      {q, k, v});
  }
  SECTION("causal") {
    require_gradcheck([](auto& in) { return F::scaled_dot_product_attention(in[0], in[1], in[2], {}, 0, true); },
                      {q, k, v});
  }
  SECTION("float mask, itself differentiated, broadcast over the batch") {
    Tensor bias = randn({3, 5}, kFloat64).requires_grad_();
    require_gradcheck([](auto& in) { return F::scaled_dot_product_attention(in[0], in[1], in[2], in[3]); },
                      {q, k, v, bias});
  }
  SECTION("dropout, with the mask redrawn identically on every call") {
    require_gradcheck(
        [](auto& in) {
          manual_seed(3);
          return F::scaled_dot_product_attention(in[0], in[1], in[2], {}, 0.3);
        },
        {q, k, v});
  }
}

TEST_CASE("sdpa: returned weights are the softmax rows, and dropout rescales the survivors", "[attention]") {
  manual_seed(5);
  Tensor q = randn({2, 4, 8}), k = randn({2, 6, 8}), v = randn({2, 6, 3});
  auto [out, weights] = F::scaled_dot_product_attention_with_weights(q, k, v, {}, 0, true);
  REQUIRE(weights.sizes() == Shape{2, 4, 6});
  ag::test::require_close(sum(weights, {-1}), ones({2, 4}), 1e-6, 1e-6, "rows sum to one");
  ag::test::require_close(out, matmul(weights, v), 1e-6, 1e-6, "output is weights x v");
  CHECK(weights.to_vector<float>()[1] == 0.0f);  // query 0 cannot see key 1

  manual_seed(9);
  auto [dropped_out, dropped] = F::scaled_dot_product_attention_with_weights(q, k, v, {}, 0.5, true);
  std::vector<float> w = weights.to_vector<float>(), d = dropped.to_vector<float>();
  int zeroed = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    if (d[i] == 0) ++zeroed;
    else CHECK(d[i] == Approx(2 * w[i]));
  }
  CHECK(zeroed > static_cast<int>(w.size()) / 2);  // half the visible weights plus the causal zeros
}

TEST_CASE("sdpa: a fully masked query row gives zero output and zero gradient, never NaN", "[attention]") {
  manual_seed(13);
  Tensor q = randn({3, 4}, kFloat64).requires_grad_(), k = randn({5, 4}, kFloat64).requires_grad_(),
         v = randn({5, 2}, kFloat64).requires_grad_();
  Tensor keep = random_keep_mask({3, 5});
  keep.select(0, 1).fill_(0);  // query 1 may see nothing
  auto [out, weights] = F::scaled_dot_product_attention_with_weights(q, k, v, keep);
  sum(out * randn({3, 2}, kFloat64)).backward();
  for (const Tensor& t : {out, weights, q.grad(), k.grad(), v.grad()})
    for (double x : t.to_vector<double>()) REQUIRE(std::isfinite(x));
  ag::test::require_close(out.select(0, 1), zeros({2}, kFloat64), 0, 1e-300, "masked row's output");
  ag::test::require_close(weights.select(0, 1), zeros({5}, kFloat64), 0, 1e-300, "masked row's weights");
  ag::test::require_close(q.grad().select(0, 1), zeros({4}, kFloat64), 0, 1e-300, "masked row's query gradient");
  SECTION("the same through an all -inf float mask, which still gradient-checks") {
    Tensor bias = F::mask_to_bias(logical_not(keep), kFloat64);
    require_gradcheck([&](auto& in) { return F::scaled_dot_product_attention(in[0], in[1], in[2], bias); },
                      {q.detach().requires_grad_(), k.detach().requires_grad_(), v.detach().requires_grad_()});
  }
}

TEST_CASE("sdpa: errors name the shapes to fix", "[attention]") {
  Tensor q = randn({2, 4, 8}), k = randn({2, 6, 8}), v = randn({2, 6, 3});
  CHECK_THROWS_WITH(F::scaled_dot_product_attention(q, randn({2, 6, 7}), v),
                    Catch::Contains("must have the same last dim"));
  CHECK_THROWS_WITH(F::scaled_dot_product_attention(q, k, randn({2, 5, 3})), Catch::Contains("number of keys S"));
  CHECK_THROWS_WITH(F::scaled_dot_product_attention(q, k, v, randn({3, 6})),
                    Catch::Contains("does not broadcast to the attention scores"));
  CHECK_THROWS_WITH(F::scaled_dot_product_attention(q, k, v, randn({4, 6}, kFloat64)),
                    Catch::Contains("float attn_mask is float64"));
}

// ---- MultiheadAttention -------------------------------------------------------------------------

namespace {

std::vector<std::string> names_of(const nn::Module& module) {
  std::vector<std::string> names;
  for (const auto& [name, p] : module.named_parameters()) names.push_back(name);
  return names;
}

// (B, max_len) bool, true at padding: each row is padding from its length on.
Tensor padding_mask(const std::vector<double>& lengths, int64_t max_len) {
  return ge(arange(max_len, kFloat64), from_vector(lengths, {static_cast<int64_t>(lengths.size()), 1}));
}

}  // namespace

TEST_CASE("MultiheadAttention has PyTorch's parameters and initialisation", "[attention]") {
  manual_seed(1);
  nn::MultiheadAttention mha(8, 2);
  CHECK(names_of(*mha) == std::vector<std::string>{"in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"});
  CHECK(mha->in_proj_weight.sizes() == Shape{24, 8});
  const double xavier_bound = std::sqrt(6.0 / (8 + 24));
  CHECK(mha->in_proj_weight.abs().max().item() <= xavier_bound);
  CHECK(mha->in_proj_weight.abs().max().item() > 0.8 * xavier_bound);
  CHECK(mha->in_proj_bias.abs().max().item() == 0.0);
  CHECK(mha->out_proj->bias.abs().max().item() == 0.0);

  nn::MultiheadAttention other_dims(nn::MultiheadAttentionOptions(8, 2).kdim(3).vdim(5).bias(false));
  CHECK(names_of(*other_dims) ==
        std::vector<std::string>{"q_proj_weight", "k_proj_weight", "v_proj_weight", "out_proj.weight"});
  CHECK(other_dims->k_proj_weight.sizes() == Shape{8, 3});
  CHECK(other_dims->v_proj_weight.sizes() == Shape{8, 5});

  nn::MultiheadAttention relative(
      nn::MultiheadAttentionOptions(8, 2).relative_position(nn::RelativePositionOptions().num_buckets(16)));
  CHECK(names_of(*relative).back() == "relative_attention_bias.weight");
  CHECK(relative->relative_attention_bias->weight.sizes() == Shape{16, 2});
}

TEST_CASE("MultiheadAttention: padded keys change no other output and get no gradient", "[attention]") {
  manual_seed(2);
  nn::MultiheadAttention mha(8, 2);
  Tensor x = randn({5, 2, 8}).requires_grad_();  // (L,B,E); batch 1 has 3 real positions
  Tensor padding = padding_mask({5, 3}, 5);
  auto [out, weights] = mha(x, x, x, padding);
  CHECK(weights.narrow(2, 3, 2).select(0, 1).abs().max().item() == 0.0);  // nobody attends to padding
  Tensor real = out.select(1, 1).narrow(0, 0, 3);  // batch 1's real positions
  real.sum().backward();
  CHECK(x.grad().select(1, 1).narrow(0, 3, 2).abs().max().item() == 0.0);

  Tensor changed = x.detach().clone();
  changed.select(1, 1).narrow(0, 3, 2).fill_(100.0);
  Tensor again = std::get<0>(mha(changed, changed, changed, padding));
  test::require_close(again.select(1, 1).narrow(0, 0, 3), real, 0, 1e-6, "real positions, padding changed");
}

TEST_CASE("MultiheadAttention: a query with every key masked gives out_proj.bias, never NaN", "[attention]") {
  manual_seed(3);
  nn::MultiheadAttention mha(8, 2);
  nn::init::normal_(mha->out_proj->bias);
  Tensor x = randn({4, 2, 8}).requires_grad_();
  Tensor hidden = logical_not(ones({4, 4}, kBool));
  hidden.select(0, 2).fill_(1);  // query 2 may attend to nothing
  auto [out, weights] = mha(x, x, x, Tensor(), true, hidden);
  out.sum().backward();
  for (const Tensor& t : {out, weights, x.grad(), mha->in_proj_weight.grad()})
    for (float v : t.to_vector<float>()) REQUIRE(std::isfinite(v));
  for (int64_t b = 0; b < 2; ++b)
    test::require_close(out.select(0, 2).select(0, b), mha->out_proj->bias, 0, 1e-7, "masked query's output");
  CHECK(weights.select(1, 2).abs().max().item() == 0.0);
}

TEST_CASE("MultiheadAttention: cached incremental attention equals the full pass", "[attention]") {
  manual_seed(4);
  auto relative = nn::RelativePositionOptions().num_buckets(8).max_distance(10).bidirectional(false);
  for (bool with_relative : {false, true}) {
    INFO("relative position bias: " << with_relative);
    auto options = nn::MultiheadAttentionOptions(8, 2);
    if (with_relative) options.relative_position(relative);
    nn::MultiheadAttention self_attn(options), cross_attn(8, 2);
    if (with_relative) nn::init::normal_(self_attn->relative_attention_bias->weight);
    Tensor x = randn({5, 3, 8}), memory = randn({6, 3, 8}), memory_padding = padding_mask({6, 4, 5}, 6);
    Tensor causal = nn::generate_square_subsequent_mask(5);
    Tensor full_self = std::get<0>(self_attn(x, x, x, Tensor(), false, causal));
    Tensor full_cross = std::get<0>(cross_attn(x, memory, memory, memory_padding, false));
    nn::KVCache self_cache, cross_cache;
    for (int64_t t = 0; t < 5; ++t) {
      Tensor step = x.narrow(0, t, 1);
      Tensor self_out = std::get<0>(self_attn->forward_cached(step, step, step, self_cache));
      Tensor kv = t == 0 ? memory : Tensor();  // memory projected on the first step only
      Tensor cross_out = std::get<0>(cross_attn->forward_cached(step, kv, kv, cross_cache, memory_padding));
      test::require_close(self_out, full_self.narrow(0, t, 1), 1e-5, 1e-6, fmt::format("self-attention step {}", t));
      test::require_close(cross_out, full_cross.narrow(0, t, 1), 1e-5, 1e-6, fmt::format("cross step {}", t));
      CHECK(self_cache.size() == t + 1);
      CHECK(cross_cache.size() == 6);
    }
  }
}

TEST_CASE("MultiheadAttention: KVCache::reorder keeps the chosen batch rows", "[attention]") {
  manual_seed(5);
  nn::MultiheadAttention mha(8, 2);
  Tensor x = randn({3, 3, 8});
  Tensor index = from_vector(std::vector<int64_t>{2, 0, 2, 1}, {4});
  Tensor reordered = index_select(x, 1, index);  // (3,4,8): the batch as beams would regroup it
  Tensor full = std::get<0>(mha(reordered, reordered, reordered, Tensor(), false, nn::generate_square_subsequent_mask(3)));
  nn::KVCache cache;
  for (int64_t t = 0; t < 2; ++t) {
    Tensor step = x.narrow(0, t, 1);
    mha->forward_cached(step, step, step, cache);
  }
  cache.reorder(index);
  Tensor step = reordered.narrow(0, 2, 1);
  test::require_close(std::get<0>(mha->forward_cached(step, step, step, cache)), full.narrow(0, 2, 1), 1e-5, 1e-6,
                      "step 3 after reorder");
}

TEST_CASE("MultiheadAttention: unbatched inputs and batch_first agree with the (L,B,E) layout", "[attention]") {
  manual_seed(6);
  nn::MultiheadAttention mha(8, 4);
  nn::MultiheadAttention batch_first(nn::MultiheadAttentionOptions(8, 4).batch_first(true));
  batch_first->load_state_dict(mha->state_dict());
  Tensor q = randn({3, 2, 8}), kv = randn({5, 2, 8}), padding = padding_mask({5, 2}, 5);
  auto [out, weights] = mha(q, kv, kv, padding, true, Tensor(), false);
  CHECK(weights.sizes() == Shape{2, 4, 3, 5});
  auto [bf_out, bf_weights] = batch_first(q.transpose(0, 1), kv.transpose(0, 1), kv.transpose(0, 1), padding, true,
                                          Tensor(), false);
  test::require_close(bf_out.transpose(0, 1), out, 1e-6, 1e-7, "batch_first output");
  test::require_close(bf_weights, weights, 1e-6, 1e-7, "batch_first weights");
  auto [single, single_weights] = mha(q.select(1, 1), kv.select(1, 1), kv.select(1, 1), padding.select(0, 1));
  CHECK(single_weights.sizes() == Shape{3, 5});
  test::require_close(single, out.select(1, 1), 1e-6, 1e-7, "unbatched output");
  test::require_close(single_weights, weights.select(0, 1).mean({0}), 1e-6, 1e-7, "unbatched weights");
}

TEST_CASE("MultiheadAttention: errors say what to fix", "[attention]") {
  CHECK_THROWS_WITH(nn::MultiheadAttention(10, 4), Catch::Contains("embed_dim (10) must be positive and divisible by "
                                                                   "num_heads (4)"));
  nn::MultiheadAttention mha(8, 2);
  Tensor x = randn({4, 3, 8});
  CHECK_THROWS_WITH(mha(x, x, x, padding_mask({4, 4}, 4)),
                    Catch::Contains("key_padding_mask is (2, 4), but should be (B,S) = (3, 4)"));
  CHECK_THROWS_WITH(mha(x, x, x, Tensor(), true, ones({4, 5}, kBool)),
                    Catch::Contains("attn_mask is (4, 5), but should be (L,S) = (4, 4) or (B*num_heads,L,S) = (6, 4, 4)"));
  CHECK_THROWS_WITH(mha(randn({4, 3, 6}), x, x), Catch::Contains("query must be (L,B,E) or unbatched (L,E) with E = "
                                                                 "embed_dim = 8; got (4, 3, 6)"));
  CHECK_THROWS_WITH(mha(x, randn({4, 2, 8}), randn({4, 2, 8})), Catch::Contains("with the query's batch of 3"));
  nn::KVCache cache;
  CHECK_THROWS_WITH(mha->forward_cached(x, Tensor(), Tensor(), cache), Catch::Contains("the cache is empty"));
  mha->forward_cached(x, x, x, cache);
  CHECK_THROWS_WITH(mha->forward_cached(randn({1, 2, 8}), Tensor(), Tensor(), cache),
                    Catch::Contains("the cache holds a batch of 3 but the query has 2"));
}
