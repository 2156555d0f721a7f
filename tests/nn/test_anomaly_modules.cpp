// Module paths: anomaly mode and the backward profile name the module an op ran in, by its dotted
// path ("decoder.layers.1.multihead_attn"), whether the module was called as m(x), m->forward(x)
// or reached through a ModuleList.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>

#include "ag/ag.h"
#include "ag/core/autograd/anomaly.h"
#include "ag/core/autograd/profile.h"
#include "ag/nn/container.h"
#include "ag/nn/linear.h"
#include "ag/nn/transformer.h"

using namespace ag;
using Catch::Matchers::Contains;

namespace {

// sqrt(|x|): finite everywhere, but its derivative is infinite where x is exactly 0.
struct SqrtAbsImpl : nn::Module {
  SqrtAbsImpl() : Module("SqrtAbs") {}
  Tensor forward(const Tensor& x) { return sqrt(abs(x)); }
};
AG_MODULE(SqrtAbs);

struct BlockImpl : nn::Module {
  BlockImpl() : Module("Block") {
    proj = register_module("proj", nn::Linear(4, 4));
    act = register_module("act", SqrtAbs());
  }
  Tensor forward(const Tensor& x) { return x + act(proj(x)); }
  nn::Linear proj{nullptr};
  SqrtAbs act{nullptr};
};
AG_MODULE(Block);

// Layers reached through ModuleList::ptr, as nn::TransformerDecoder does.
struct StackImpl : nn::Module {
  StackImpl() : Module("Stack") {
    layers = register_module("layers", nn::ModuleList());
    for (int i = 0; i < 4; ++i) layers->push_back(Block());
  }
  Tensor forward(Tensor x) {
    for (size_t i = 0; i < layers->size(); ++i) x = layers->ptr<BlockImpl>(i)->forward(x);
    return x;
  }
  nn::ModuleList layers{nullptr};
};
AG_MODULE(Stack);

struct NetImpl : nn::Module {
  NetImpl() : Module("Net") { decoder = register_module("decoder", Stack()); }
  Tensor forward(const Tensor& x) { return decoder(x).sum(); }
  Stack decoder{nullptr};
};
AG_MODULE(Net);

nn::Transformer tiny_transformer() {
  manual_seed(0);
  return nn::Transformer(nn::TransformerOptions(8, 2)
                             .num_encoder_layers(1)
                             .num_decoder_layers(2)
                             .dim_feedforward(16)
                             .dropout(0.0));
}

// The FLOPs of the matrix products (matmul, or addmm with a bias) run in module `path`.
int64_t gemm_flops(const autograd::Profile& profile, const std::string& path) {
  int64_t flops = 0;
  for (const auto& node : profile.nodes())
    if (node.module == path && (node.name == "MmBackward" || node.name == "AddmmBackward")) flops += node.flops;
  return flops;
}

Tensor parameter(const nn::Module& module, const std::string& name) {
  for (const auto& [n, p] : module.named_parameters())
    if (n == name) return p;
  FAIL("no parameter " << name);
  return {};
}

}  // namespace

TEST_CASE("anomaly mode names the module path of a NaN injected in forward", "[anomaly][modules]") {
  nn::Transformer model = tiny_transformer();
  {
    NoGradGuard no_grad;
    parameter(*model, "decoder.layers.1.multihead_attn.in_proj_weight").select(0, 0).select(0, 3).fill_(NAN);
  }
  Tensor src = randn({5, 2, 8}), tgt = randn({3, 2, 8});
  DetectAnomalyGuard anomaly;
  // The NaN came in through the weight, a leaf. The same path when the model is called with ->forward.
  CHECK_THROWS_WITH(model(src, tgt), Contains("module path: decoder.layers.1.multihead_attn\n") && Contains("it is a leaf"));
  CHECK_THROWS_WITH(model->forward(src, tgt), Contains("module path: decoder.layers.1.multihead_attn\n"));
}

TEST_CASE("anomaly mode names the module path of an Inf made in backward", "[anomaly][modules]") {
  Net net;
  {
    NoGradGuard no_grad;
    auto block = net->decoder->layers->ptr<BlockImpl>(2);
    block->proj->weight.zero_();
    block->proj->bias.zero_();  // proj(x) = 0 in layer 2 only
  }
  DetectAnomalyGuard anomaly;
  Tensor loss = net(randn({3, 4}));
  CHECK_THROWS_WITH(loss.backward(), Contains("the backward node SqrtBackward returned") &&
                                         Contains("module path: decoder.layers.2.act\n"));
}

TEST_CASE("profile: a Linear layer's forward FLOPs are 2*B*in*out", "[profile][modules]") {
  const int64_t B = 6, in = 5, out = 3;
  nn::Linear fc(nn::LinearOptions(in, out).bias(false));
  autograd::Profile profile;
  fc(randn({B, in})).sum().backward();
  profile.stop();
  CHECK(gemm_flops(profile, "") == 2 * B * in * out);
  CHECK(profile.modules().front().flops == 2 * B * in * out + B * out);  // + the sum after it

  // With a bias, and leading dims folded into the rows of one gemm: (2,B,in) -> (2B,in).
  nn::Linear biased(in, out);
  autograd::Profile with_bias;
  biased(randn({2, B, in})).sum().backward();
  with_bias.stop();
  CHECK(gemm_flops(with_bias, "") == 2 * (2 * B) * in * out);
}

TEST_CASE("profile sums a Transformer's nodes per module path", "[profile][modules]") {
  nn::Transformer model = tiny_transformer();
  autograd::Profile profile;
  model(randn({5, 2, 8}), randn({3, 2, 8})).sum().backward();
  profile.stop();
  std::map<std::string, autograd::ModuleProfile> rows;
  for (const auto& row : profile.modules()) rows[row.path] = row;
  for (const char* path : {"encoder", "encoder.layers.0.self_attn", "decoder.layers.1.multihead_attn",
                           "decoder.layers.1.multihead_attn.out_proj", "decoder.layers.0.linear1", "decoder.norm"})
    CHECK(rows.count(path) == 1);
  // The feed-forward block of a layer: (T*B, 8) x (8, 16) and (T*B, 16) x (16, 8) gemms.
  CHECK(gemm_flops(profile, "decoder.layers.0.linear1") == 2 * 6 * 8 * 16);
  CHECK(gemm_flops(profile, "decoder.layers.0.linear2") == 2 * 6 * 16 * 8);
  CHECK(rows["decoder"].flops + rows["encoder"].flops <= rows[""].flops);
  CHECK(rows[""].nodes == static_cast<int64_t>(profile.nodes().size()));
}
