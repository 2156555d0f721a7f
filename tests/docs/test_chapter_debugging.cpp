// The snippets of docs/debugging.md, run: anomaly mode, gradient and forward hooks, the backward
// profile, and the reference kernels.
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "ag/ag.h"
#include "ag/core/autograd/anomaly.h"
#include "ag/core/autograd/profile.h"
#include "ag/core/kernels/reference.h"
#include "ag/nn/linear.h"
#include "ag/nn/transformer.h"

using namespace ag;

TEST_CASE("docs/debugging.md: anomaly mode", "[docs]") {
  manual_seed(0);
  nn::Transformer model(nn::TransformerOptions(8, 2).num_encoder_layers(1).num_decoder_layers(3).dim_feedforward(16));
  {
    NoGradGuard no_grad;  // a weight gone bad, as after a diverging step
    model->decoder->layers->ptr<nn::TransformerDecoderLayerImpl>(2)->multihead_attn->in_proj_weight.fill_(NAN);
  }
  std::string message;
  try {
    DetectAnomalyGuard anomaly;  // or run with AG_DETECT_ANOMALY=1
    model(randn({6, 2, 8}), randn({4, 2, 8}));
  } catch (const Error& e) {
    message = e.what();
  }
  CHECK_THAT(message, Catch::Contains("module path: decoder.layers.2.multihead_attn"));
}

TEST_CASE("docs/debugging.md: hooks", "[docs]") {
  Tensor w = tensor({0.5, -1.0, 2.0}, requires_grad());
  Tensor h = w * 100.0;
  h.register_hook([](const Tensor& grad) { return grad.clamp(-1.0, 1.0); });  // clip what flows back
  (h * h).sum().backward();  // dL/dh = 2h = [100, -200, 400], clipped to [1, -1, 1]
  CHECK(w.grad().to_vector<float>() == std::vector<float>{100, -100, 100});

  nn::Linear fc(3, 2);
  double largest = 0;
  fc->register_forward_hook([&](nn::Module&, const std::vector<Tensor>&, std::vector<Tensor>& outputs) {
    largest = std::max(largest, outputs[0].abs().max().item());  // watch activations grow
  });
  fc(randn({4, 3}));
  CHECK(largest > 0);
}

TEST_CASE("docs/debugging.md: the backward profile", "[docs]") {
  manual_seed(0);
  nn::Transformer model(nn::TransformerOptions(16, 4).num_encoder_layers(1).num_decoder_layers(1).dim_feedforward(64));
  Tensor src = randn({10, 4, 16}), tgt = randn({9, 4, 16});

  autograd::Profile profile;
  model(src, tgt).pow(2).mean().backward();
  profile.stop();
  std::string table = profile.table(/*slowest=*/5);    // print it
  nlohmann::json json = nlohmann::json::parse(profile.json());  // or save it

  CHECK(table.find("decoder.layers.0.multihead_attn") != std::string::npos);
  CHECK(json["modules"][0]["path"] == "");  // the whole step
  CHECK(json["modules"][0]["flops"] > 0);
}

TEST_CASE("docs/debugging.md: reference kernels", "[docs]") {
  manual_seed(0);
  Tensor a = randn({64, 32}), b = randn({32, 16});
  Tensor fast = softmax(matmul(a, b), -1);   // OpenBLAS and the vectorized softmax
  set_reference_kernels(true);               // or run with AG_REFERENCE_KERNELS=1
  Tensor plain = softmax(matmul(a, b), -1);  // the loops of ag/core/kernels/reference.h
  set_reference_kernels(false);
  CHECK(allclose(fast, plain, 1e-5, 1e-6));
}
