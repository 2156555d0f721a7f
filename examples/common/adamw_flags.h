// The optimizer flags of forecast (AdamW with a warmup + cosine schedule; gpt and classify declare
// theirs on settings lists, ag/train/settings.h), for
// any options struct with the fields lr, min_lr, warmup, weight_decay and clip. Their ranges are
// checked by ag::train::check_adamw_flags.
#pragma once
#include <CLI/CLI.hpp>

namespace examples {

template <typename Options>
void add_adamw_flags(CLI::App& app, Options& o) {
  app.add_option("--lr", o.lr, "peak learning rate")->capture_default_str();
  app.add_option("--min-lr", o.min_lr, "learning rate at the end of the cosine")->capture_default_str();
  app.add_option("--warmup", o.warmup, "linear warmup steps")->capture_default_str();
  app.add_option("--weight-decay", o.weight_decay, "AdamW weight decay on matrices")->capture_default_str();
  app.add_option("--clip", o.clip, "max gradient norm (0: off)")->capture_default_str();
}

}  // namespace examples
