// `gpt train`: the training step and a plain loop around it.
//
// The loop is nanoGPT's CPU recipe: random windows from the first 90% of the text, AdamW (betas
// 0.9/0.99, weight decay on matrices and embeddings only), linear warmup then a cosine down to
// min_lr, gradient norm clipped to 1, the validation loss on random windows every eval_interval
// steps and at the end, and the weights written to <out>/model.safetensors.
#pragma once
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "ag/optim/optimizer.h"
#include "model.h"

namespace gpt {

struct TrainOptions {
  std::string data;  // a text file, plain or .gz; empty: the bundled Tiny Shakespeare
  std::string out = "runs/shakespeare";
  bool force = false;  // replace the model an earlier run left in `out`
  ModelConfig model;
  int64_t batch_size = 12;
  double lr = 1e-3, min_lr = 1e-4;
  double beta1 = 0.9, beta2 = 0.99;
  double weight_decay = 0.1;
  double clip = 1.0;  // max gradient norm; 0: no clipping
  int64_t warmup = 100;
  int64_t max_steps = 2000;
  double max_time = 0;  // seconds; 0: no limit
  int64_t eval_interval = 250;
  int64_t eval_batches = 200;
  int64_t log_interval = 50;
  int threads = 0;  // 0: AG_NUM_THREADS or every core
  uint64_t seed = 1337;

  void validate() const;  // throws an ag::Error naming the bad flag
};

// The bundled corpus (Tiny Shakespeare, gzip-compressed beside this file).
std::string default_corpus();

// AdamW over two groups, as nanoGPT's configure_optimizers: parameters of 2 or more dims decay,
// biases and LayerNorm weights do not.
std::unique_ptr<ag::optim::Optimizer> make_optimizer(GPTImpl& model, const TrainOptions& options);

// One update: forward, cross-entropy, backward, clip, optimizer step. x, y (B,T). Returns the loss.
double train_step(GPTImpl& model, ag::optim::Optimizer& optimizer, const ag::Tensor& x, const ag::Tensor& y,
                  double clip);

struct TrainResult {
  int64_t steps = 0;
  double train_loss = 0;  // the last step's
  double valid_loss = 0;  // estimated at the end
  double seconds = 0;     // training time, evaluations included
};

// Trains from scratch on options.data and writes <out>/model.safetensors. Progress goes to `log`.
TrainResult train(const TrainOptions& options, std::ostream& log);

}  // namespace gpt
