// The small series and the tiny training run the forecast tests share: a monthly series of 120
// values and a model 8 wide trained for 12 steps (well under a second on one thread).
#pragma once
#include <cmath>
#include <string>

#include "tests/data/temp_dir.h"
#include "train.h"

namespace forecast::testing {

// A monthly series in R's layout: decimal years and a value column, 120 rows.
inline std::string monthly_csv(int64_t rows = 120) {
  std::string csv = "time,sales\n";
  for (int64_t t = 0; t < rows; ++t)
    csv += fmt::format("{:.4f},{:.3f}\n", 2000 + static_cast<double>(t) / 12,
                       50 + 0.1 * static_cast<double>(t) + 5 * std::sin(2 * 3.14159265 * static_cast<double>(t) / 12));
  return csv;
}

inline TrainOptions tiny_run(ag::data::testing::TempDir& dir, const std::string& out) {
  TrainOptions o;
  o.data = dir.write("monthly.csv", monthly_csv());
  o.out = dir.path(out);
  o.model.horizon = 6, o.model.context = 24, o.model.patch = 4, o.model.layers = 1, o.model.heads = 2;
  o.model.width = 8, o.model.feedforward = 16, o.model.dropout = 0.1;
  o.batch_size = 8, o.max_steps = 12, o.warmup = 2, o.eval_every = 4, o.save_every = 5, o.threads = 1;
  return o;
}

}  // namespace forecast::testing
