// `gpt train`: the training step and the loop around it.
//
// The recipe is nanoGPT's CPU one: random windows from the first 90% of each text file, AdamW (betas
// 0.9/0.99, weight decay on matrices and embeddings only), linear warmup then a cosine down to
// min_lr, gradient norm clipped to 1, the validation loss on random windows every eval_every steps
// and at the end. The run directory, checkpoints, progress line, metrics.jsonl, Ctrl-C and the loss
// curve are the training kit's (ag/train/); the run directory holds
//   checkpoint.safetensors  everything --resume needs (weights, AdamW, schedule, generators)
//   model.safetensors       the weights under nanoGPT's names, for sample/chat/eval (weights.h)
//   tokenizer.model         with --tokenizer bpe or unigram, the SentencePiece model (codec.h)
//   metrics.jsonl, loss.svg the validation losses and the loss curve
#pragma once
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ag/optim/optimizer.h"
#include "ag/train/settings.h"
#include "model.h"
#include "options.h"

namespace gpt {

// The bundled corpus (Tiny Shakespeare, gzip-compressed beside this file).
std::string default_corpus();
// The files a run trains on: options.data, or the bundled corpus.
std::vector<std::string> data_files(const TrainOptions& options);

// AdamW over two groups, as nanoGPT's configure_optimizers: parameters of 2 or more dims decay,
// biases and LayerNorm weights do not.
std::unique_ptr<ag::optim::Optimizer> make_optimizer(GPTImpl& model, const TrainOptions& options);

// One update: forward, cross-entropy, backward, clip, optimizer step. x, y (B,T). Returns the loss.
double train_step(GPTImpl& model, ag::optim::Optimizer& optimizer, const ag::Tensor& x, const ag::Tensor& y,
                  double clip);

struct TrainResult {
  int64_t steps = 0;
  bool interrupted = false;          // stopped by Ctrl-C (or InterruptGuard::request()) and saved
  std::vector<double> train_losses;  // every step's, the resumed-from sessions' included
  double valid_loss = 0;             // estimated at the end (not when interrupted)
  double seconds = 0;                // training time over all sessions, evaluations included
  std::string sample;                // options.sample_tokens characters from the trained model
};

// Trains from scratch into options.out, or continues options.resume with the flags `was_given`
// merged into its saved settings (resumed_train_options; none: those that differ from
// TrainOptions{}'s). Progress goes to `log` (a terminal gets a line that rewrites itself in place).
TrainResult train(const TrainOptions& options, std::ostream& log, bool log_is_terminal = false,
                  const ag::train::FlagGiven& was_given = {});

}  // namespace gpt
