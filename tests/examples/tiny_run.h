// The settings of a seq2seq run small enough to train in about a second (a 32-wide, 1+1-layer model
// on 2,000 examples of the date task), shared by tests/examples and tests/distributed/seq2seq.
// Dropout is on, so that resuming must reproduce the random numbers too.
#pragma once
#include <string>

#include "options.h"

namespace seq2seq::testing {

inline TrainOptions tiny_options(const std::string& out, int64_t max_steps) {
  TrainOptions o;
  o.out = out;
  o.data.task_train = 2000;
  o.data.task_valid = 40;
  o.data.task_test = 40;
  o.model.d_model = 32;
  o.model.nhead = 2;
  o.model.encoder_layers = 1;
  o.model.decoder_layers = 1;
  o.model.dim_feedforward = 64;
  o.model.dropout = 0.1;
  o.model.max_positions = 64;
  o.optim.batch_tokens = 1024;
  o.optim.warmup = 10;
  o.optim.lr = 3e-3;
  o.schedule.max_steps = max_steps;
  o.threads = 1;
  return o;
}

}  // namespace seq2seq::testing
