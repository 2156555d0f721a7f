// Float64 gradient checks of the attention modules: MultiheadAttention (self and cross, every mask
// kind), the relative position bias, and the encoder and decoder layers in both norm placements.
// Every parameter element and every float input is perturbed by central differences and compared
// with what backward computed.
#include <catch2/catch.hpp>
#include <functional>

#include "ag/ag.h"
#include "ag/nn/attention.h"
#include "ag/nn/init.h"
#include "ag/nn/transformer.h"

using namespace ag;

namespace {

// Checks d loss / d t for every parameter of `module` and every tensor in `inputs` (float64 leaves
// requiring grad), where loss = sum(forward() * fixed random projection).
void require_module_gradcheck(nn::Module& module, const std::vector<Tensor>& inputs,
                              const std::function<Tensor()>& forward) {
  // ag::gradcheck perturbs what it is given in place, so the module's own parameters can be checked
  // beside the inputs while `forward` reaches them through the module.
  std::vector<Tensor> checked = inputs;
  for (const Tensor& p : module.parameters()) checked.push_back(p);
  GradcheckResult result = gradcheck([&](const std::vector<Tensor>&) { return forward(); }, checked);
  INFO(result.message);
  REQUIRE(result.ok);
}

// Random values for every parameter, so biases and norms (zeros and ones at first) matter.
void randomize(nn::Module& module) {
  module.to(kFloat64);
  for (const Tensor& p : module.parameters()) nn::init::normal_(p, 0.0, 0.5);
}

Tensor leaf(const Shape& shape) { return randn(shape, kFloat64).requires_grad_(); }

// (B, max_len) bool, true at padding: each row is padding from its length on.
Tensor padding_mask(const std::vector<double>& lengths, int64_t max_len) {
  return ge(arange(max_len, kFloat64), from_vector(lengths, {static_cast<int64_t>(lengths.size()), 1}));
}

}  // namespace

TEST_CASE("MultiheadAttention gradient checks", "[attention][gradcheck]") {
  manual_seed(21);
  SECTION("self-attention with padded keys and a causal float mask") {
    nn::MultiheadAttention mha(4, 2);
    randomize(*mha);
    Tensor x = leaf({3, 2, 4});  // (L,B,E)
    Tensor padding = padding_mask({3, 2}, 3), causal = nn::generate_square_subsequent_mask(3, kFloat64);
    require_module_gradcheck(*mha, {x}, [&] { return std::get<0>(mha(x, x, x, padding, true, causal)); });
  }
  SECTION("cross-attention, batch_first, kdim and vdim, a per-head bool mask, weights per head") {
    nn::MultiheadAttention mha(nn::MultiheadAttentionOptions(4, 2).batch_first(true).kdim(3).vdim(5));
    randomize(*mha);
    Tensor q = leaf({2, 3, 4}), k = leaf({2, 4, 3}), v = leaf({2, 4, 5});
    Tensor hidden = lt(rand({4, 3, 4}, kFloat64), full({}, 0.3, kFloat64));  // (B*H,L,S), true = not allowed
    hidden.narrow(-1, 0, 1).fill_(0);
    require_module_gradcheck(*mha, {q, k, v}, [&] {
      auto [out, weights] = mha(q, k, v, Tensor(), true, hidden, false);
      return out.sum() + (weights * weights).sum();  // both outputs carry gradient
    });
  }
  SECTION("T5 relative position bias in the scores") {
    nn::MultiheadAttention mha(
        nn::MultiheadAttentionOptions(4, 2).relative_position(nn::RelativePositionOptions().num_buckets(6).max_distance(8)));
    randomize(*mha);
    Tensor x = leaf({5, 2, 4});
    require_module_gradcheck(*mha, {x}, [&] { return std::get<0>(mha(x, x, x)); });
  }
}

TEST_CASE("Transformer layer gradient checks, post-LN and pre-LN", "[transformer][gradcheck]") {
  manual_seed(22);
  for (bool norm_first : {false, true}) {
    INFO("norm_first = " << norm_first);
    auto options = nn::TransformerLayerOptions(4, 2).dim_feedforward(6).dropout(0.0).norm_first(norm_first);
    Tensor src = leaf({3, 2, 4}), tgt = leaf({3, 2, 4});
    Tensor padding = padding_mask({3, 2}, 3), causal = nn::generate_square_subsequent_mask(3, kFloat64);

    nn::TransformerEncoderLayer encoder(options.activation("gelu"));
    randomize(*encoder);
    require_module_gradcheck(*encoder, {src}, [&] { return encoder(src, Tensor(), padding); });

    nn::TransformerDecoderLayer decoder(options.activation("relu"));
    randomize(*decoder);
    require_module_gradcheck(*decoder, {tgt, src},
                             [&] { return decoder(tgt, src, causal, Tensor(), Tensor(), padding); });

    nn::TransformerDecoderLayer relative(options.relative_position(nn::RelativePositionOptions().num_buckets(4).max_distance(6)));
    randomize(*relative);
    require_module_gradcheck(*relative, {tgt}, [&] { return relative(tgt, src, causal); });
  }
}
