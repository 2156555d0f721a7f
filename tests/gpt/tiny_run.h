// The tiny `gpt train` run the tests share: `text` (a verse, 30 times, unless given) in a file, a
// one-block model 16 wide with dropout (so that resuming must restore the generator too), a dozen
// steps of batch 4 on one thread. A test changes what it needs.
#pragma once
#include <string>

#include "tests/data/temp_dir.h"
#include "train.h"

namespace gpt::testing {

inline TrainOptions tiny_run(ag::data::testing::TempDir& dir, const std::string& out, std::string text = "") {
  if (text.empty())
    for (int i = 0; i < 30; ++i) text += "To be, or not to be, that is the question:\n";
  TrainOptions o;
  o.data = {dir.write(out + ".txt", text)};
  o.out = dir.path(out);
  o.model.block_size = 16, o.model.n_layer = 1, o.model.n_head = 2, o.model.n_embd = 16, o.model.dropout = 0.1;
  o.batch_size = 4, o.max_steps = 12, o.warmup = 3, o.eval_every = 4, o.save_every = 5, o.eval_batches = 2;
  o.sample_tokens = 20, o.threads = 1;
  return o;
}

}  // namespace gpt::testing
