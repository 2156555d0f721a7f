// scaled_dot_product_attention: the fused op against its composed twin built from ag ops,
// float64 gradient checks for every mask kind, and what a fully masked row gives.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "ag.h"
#include "fixture.h"
#include "nn/functional/attention.h"

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
