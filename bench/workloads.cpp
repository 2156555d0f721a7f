// The model workloads (1, 2, 3, 5). Each builds its model from ag's modules exactly as
// torch_bench.py builds PyTorch's, times whole steps after warm-up, and reports the median.
#include "bench/workloads.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "ag/ag.h"
#include "ag/nn/embedding.h"
#include "ag/nn/functional/loss.h"
#include "ag/nn/layer_norm.h"
#include "ag/nn/linear.h"
#include "ag/nn/positional.h"
#include "ag/nn/transformer.h"
#include "ag/optim/adam.h"

namespace ag::bench {

namespace F = ag::nn::functional;

namespace {

template <typename Step>
double median_ms(const Settings& s, Step&& step) {
  for (int i = 0; i < s.warmup; ++i) step();
  std::vector<double> ms;
  for (int i = 0; i < s.steps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    step();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

// The reference workload's shapes (issue: vocabulary 8000, d_model 256, 8 heads, ff 1024, 3+3 layers).
constexpr int64_t kVocab = 8000, kModel = 256, kHeads = 8, kFF = 1024, kLayers = 3;
constexpr int64_t kBatch = 64, kSrcLen = 32, kTgtLen = 32;

// Matmul FLOPs of one forward pass; a training step does three times as many (backward computes
// two products per forward product).
double seq2seq_forward_flops(double B, double S, double T) {
  const double E = kModel, F = kFF, V = kVocab;
  double encoder = 2 * B * S * 4 * E * E + 4 * B * S * S * E + 4 * B * S * E * F;
  double decoder = 2 * B * T * 4 * E * E + 4 * B * T * T * E        // self-attention
                   + 2 * B * T * 2 * E * E + 2 * B * S * 2 * E * E   // cross: q, out; k, v
                   + 4 * B * T * S * E + 4 * B * T * E * F;          // cross scores, feed-forward
  return kLayers * (encoder + decoder) + 2 * B * T * E * V;
}

// A module, so that DistributedDataParallel can wrap it (bench/distributed_bench.cpp).
struct Seq2seq : nn::Module {
  Seq2seq() : Module("Seq2seq") {
    register_module("src_embed", src_embed);
    register_module("tgt_embed", tgt_embed);
    register_module("position", position);
    register_module("transformer", transformer);
    register_module("generator", generator);
  }
  nn::Embedding src_embed{kVocab, kModel}, tgt_embed{kVocab, kModel};
  nn::SinusoidalPositionalEncoding position{kModel, 512, 0.1};
  nn::Transformer transformer{nn::TransformerOptions(kModel, kHeads)
                                  .num_encoder_layers(kLayers)
                                  .num_decoder_layers(kLayers)
                                  .dim_feedforward(kFF)
                                  .dropout(0.1)};
  nn::Linear generator{kModel, kVocab};

  Tensor embed_src(const Tensor& ids) { return position(src_embed(ids) * std::sqrt(double(kModel))); }
  Tensor embed_tgt(const Tensor& ids, int64_t offset = 0) {
    return position->forward(tgt_embed(ids) * std::sqrt(double(kModel)), offset);
  }
};

}  // namespace

Figures seq2seq_step(const Settings& s, const ModelHook& before_steps, const std::function<void()>& after_backward) {
  manual_seed(0);
  auto model = std::make_shared<Seq2seq>();
  if (before_steps) before_steps(model);
  optim::Adam optimizer(model->parameters(), optim::AdamOptions(1e-4).betas({0.9, 0.98}).eps(1e-9));
  Tensor src = randint(0, kVocab, {kSrcLen, kBatch}), tgt = randint(0, kVocab, {kTgtLen + 1, kBatch});
  Tensor tgt_in = tgt.narrow(0, 0, kTgtLen), tgt_out = tgt.narrow(0, 1, kTgtLen);
  Tensor causal = nn::generate_square_subsequent_mask(kTgtLen);
  double loss_value = 0;
  double ms = median_ms(s, [&] {
    optimizer.zero_grad();
    Tensor h = model->transformer->forward(model->embed_src(src), model->embed_tgt(tgt_in), Tensor(), causal);
    Tensor logits = model->generator(h);
    Tensor loss = F::cross_entropy(logits.reshape({-1, kVocab}), tgt_out.reshape({-1}), -100, 0.1);
    loss.backward();
    if (after_backward) after_backward();
    optimizer.step();
    loss_value = loss.item();
  });
  double flops = 3 * seq2seq_forward_flops(kBatch, kSrcLen, kTgtLen);
  return {{"ms_per_step", ms},
          {"tokens_per_s", kBatch * kTgtLen / (ms / 1000)},
          {"gflops", flops / (ms / 1000) / 1e9},
          {"loss", loss_value}};
}

Figures gpt_step(const Settings& s) {
  constexpr int64_t V = 65, T = 64, B = 12, L = 4, H = 4, E = 128;
  manual_seed(0);
  nn::Embedding token(V, E);
  nn::LearnedPositionalEmbedding position(T, E);
  nn::TransformerEncoder blocks(
      nn::TransformerEncoderLayerOptions(E, H).dim_feedforward(4 * E).dropout(0.0).activation("gelu").norm_first(true),
      L, /*final_norm=*/true);
  nn::Linear head(E, V, false);
  std::vector<Tensor> params;
  for (const nn::Module* m : std::initializer_list<const nn::Module*>{token.get(), position.get(), blocks.get(), head.get()})
    for (const Tensor& p : m->parameters()) params.push_back(p);
  optim::AdamW optimizer(params, optim::AdamWOptions(1e-3));
  Tensor x = randint(0, V, {T, B}), y = randint(0, V, {T, B});
  Tensor causal = nn::generate_square_subsequent_mask(T);
  double ms = median_ms(s, [&] {
    optimizer.zero_grad();
    Tensor h = blocks->forward(position(token(x)), causal);
    Tensor loss = F::cross_entropy(head(h).reshape({-1, V}), y.reshape({-1}));
    loss.backward();
    optimizer.step();
  });
  return {{"ms_per_step", ms}, {"tokens_per_s", B * T / (ms / 1000)}};
}

Figures greedy_translation(const Settings& s) {
  constexpr int64_t kSentences = 100, kChunk = 25, kDecodeLen = 32;
  manual_seed(0);
  Seq2seq model;
  model.eval();
  NoGradGuard no_grad;
  std::vector<Tensor> sources;  // (S, chunk) with S between 20 and 30 tokens
  for (int64_t i = 0; i < kSentences / kChunk; ++i) sources.push_back(randint(4, kVocab, {20 + 3 * i, kChunk}));
  double ms = median_ms(s, [&] {
    for (const Tensor& src : sources) {
      Tensor memory = model.transformer->encode(model.embed_src(src));
      nn::TransformerDecoderCache cache;
      Tensor token = full({1, kChunk}, 2, kInt64);  // <bos>
      for (int64_t t = 0; t < kDecodeLen; ++t) {
        Tensor h = model.transformer->decode_step(model.embed_tgt(token, t), memory, cache);
        token = argmax(model.generator(h), -1);
      }
    }
  });
  return {{"ms_per_100_sentences", ms}, {"sentences_per_s", kSentences / (ms / 1000)}};
}

namespace {
double resident_mb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1048576.0);
}
}  // namespace

Figures memory(const Settings& s) {
  manual_seed(0);
  Seq2seq model;
  optim::Adam optimizer(model.parameters(), optim::AdamOptions(1e-4));
  Tensor src = randint(0, kVocab, {kSrcLen, kBatch}), tgt = randint(0, kVocab, {kTgtLen + 1, kBatch});
  Tensor causal = nn::generate_square_subsequent_mask(kTgtLen);
  double after_warmup = 0;
  for (int step = 0; step < s.memory_steps; ++step) {
    optimizer.zero_grad();
    Tensor h = model.transformer->forward(model.embed_src(src), model.embed_tgt(tgt.narrow(0, 0, kTgtLen)), Tensor(), causal);
    F::cross_entropy(model.generator(h).reshape({-1, kVocab}), tgt.narrow(0, 1, kTgtLen).reshape({-1}), -100, 0.1).backward();
    optimizer.step();
    if (step == std::min(10, s.memory_steps - 1)) after_warmup = resident_mb();
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return {{"peak_rss_mb", usage.ru_maxrss / 1024.0},
          {"rss_growth_mb", resident_mb() - after_warmup},
          {"steps", static_cast<double>(s.memory_steps)}};
}

}  // namespace ag::bench
