// `classify train`: the training loop around the classifier, on the training kit (ag/train/).
//
// Each epoch visits every training text once, in batches of texts of similar length (less padding),
// with AdamW (weight decay on matrices only), a linear warmup then a cosine down to min_lr, gradient
// norm clipping, optional label smoothing and class weights. With --ema, a moving average of the
// weights (ag/optim/ema.h) is what gets validated and kept: averaging smooths the noise of the last
// steps, which on a small data set is most of the difference between two checkpoints. After every
// epoch (or every --eval-every steps) the model is scored on the validation set; the weights with
// the best macro F1 so far are kept as model.safetensors (the validation set chooses the model, as Keras's
// ModelCheckpoint(save_best_only=True) does). The run directory holds
//   checkpoint.safetensors   everything --resume needs (weights, AdamW, schedule, generator, position)
//   ema.safetensors          with --ema: the moving average, for --resume
//   model.safetensors        the best weights, for predict and eval (model.h)
//   tokenizer.model/.vocab   the SentencePiece model trained on the training texts
//   metrics.jsonl            one line per validation: losses, accuracy, macro and micro F1
//   loss.svg, scores.svg     the loss curves and the validation scores
//   report.txt, confusion.svg  the best model's report and confusion matrix on the validation set
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "evaluate.h"
#include "ag/train/settings.h"
#include "model.h"
#include "options.h"

namespace classify {

// The batches of one epoch, as indices into the texts: shuffled, then sorted by length within
// chunks of 50 batches (texts of a batch are alike in length, so little is padding), then the
// batches shuffled. The same seed and epoch give the same batches.
std::vector<std::vector<size_t>> epoch_batches(const std::vector<size_t>& lengths, int64_t batch_size, uint64_t seed,
                                               int64_t epoch);

// Cross-entropy of logits (B,C) against targets, with label smoothing, weighted per class when
// `class_weights` is not empty (then the weighted mean: sum w_i l_i / sum w_i, as PyTorch's weight=).
ag::Tensor classification_loss(const ag::Tensor& logits, const std::vector<int64_t>& targets,
                               const std::vector<double>& class_weights, double label_smoothing);

// "balanced" weights: n / (C * count of c); a class without texts gets 0 (it has nothing to weigh).
std::vector<double> balanced_class_weights(const std::vector<int64_t>& targets, int64_t num_classes);

struct TrainResult {
  int64_t steps = 0;
  bool interrupted = false;
  std::vector<double> train_losses;  // every step's, the resumed-from sessions' included
  int64_t best_step = 0;             // where the kept model (model.safetensors) was taken
  Evaluation best;                   // that model on the validation set (not when interrupted)
  std::string report;                // format_report(best)
  double seconds = 0;
};

// Trains from scratch into options.out, or continues options.resume with the flags `was_given`
// merged into its saved settings (a flag that shapes the run and differs is an error naming it;
// none given: those that differ from TrainOptions{}'s).
TrainResult train(const TrainOptions& options, std::ostream& log, bool log_is_terminal = false,
                  const ag::train::FlagGiven& was_given = {});

}  // namespace classify
