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
#include "model.h"

namespace gpt {

struct TrainOptions {
  std::vector<std::string> data;   // text files, plain or .gz (see read_split_text); none: the bundled Tiny Shakespeare
  std::string tokenizer = "char";  // char, or SentencePiece: bpe or unigram (see codec.h)
  int64_t vocab_size = 0;          // SentencePiece's ids at most; 0: kDefaultVocabSize
  std::string out = "runs/shakespeare";
  bool force = false;   // start over in a non-empty `out`, deleting what an earlier run wrote there
  std::string resume;   // a run directory to continue (its saved settings are used)
  ModelConfig model;
  int64_t batch_size = 12;
  double lr = 1e-3, min_lr = 1e-4;
  double beta1 = 0.9, beta2 = 0.99;
  double weight_decay = 0.1;
  double clip = 1.0;  // max gradient norm; 0: no clipping
  int64_t warmup = 100;
  int64_t max_steps = 2000;
  double max_time = 0;  // seconds; 0: no limit
  int64_t eval_every = 250;
  int64_t eval_batches = 200;
  int64_t save_every = 250;     // steps between checkpoints (also saved at the end and on Ctrl-C)
  int64_t sample_tokens = 300;  // the sample printed at the end (0: none)
  int threads = 0;  // 0: AG_NUM_THREADS or every core; a resumed run is bit-exact with the same count
  uint64_t seed = 1337;

  void validate() const;  // throws an ag::Error naming the bad flag (bounds.cpp)
};
// The settings a checkpoint keeps (not where it is, nor --force, --resume, --threads or --max-time,
// which a resumed run takes from its own command line). A checkpoint of an earlier gpt, whose
// "data" is one path or whose settings have no tokenizer, is read by train.cpp's SavedOptions.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TrainOptions, data, tokenizer, vocab_size, model, batch_size, lr, min_lr, beta1, beta2, weight_decay, clip,
                                   warmup, max_steps, eval_every, eval_batches, save_every, sample_tokens, seed)

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

// Trains from scratch into options.out, or continues options.resume. Progress goes to `log` (a
// terminal gets a line that rewrites itself in place).
TrainResult train(const TrainOptions& options, std::ostream& log, bool log_is_terminal = false);

}  // namespace gpt
