// The AdamW settings gpt, classify and forecast share (a warmup, then a cosine from --lr down to --min-lr), as
// entries of a settings list (ag/train/settings.h), for any options struct with the fields lr,
// min_lr, weight_decay, clip and warmup. Each program keeps its own bounds: they only refuse nonsense.
#pragma once
#include <string>

#include "ag/train/settings.h"

namespace examples {

struct AdamWBounds {
  double lr, weight_decay, clip, warmup;  // the most each may be (--min-lr: as --lr)
};

template <typename Self, typename Setting>
void adamw_settings(Self& o, Setting& setting, const AdamWBounds& most, const std::string& group) {
  using ag::train::Range;
  setting(o.lr, {.flag = "--lr", .key = "/lr", .help = "peak learning rate", .range = Range{0, most.lr, true},
                 .group = group});
  setting(o.min_lr, {.flag = "--min-lr", .key = "/min_lr", .help = "learning rate at the end of the cosine",
                     .range = Range{0, most.lr}, .group = group});
  setting(o.weight_decay, {.flag = "--weight-decay", .key = "/weight_decay", .help = "AdamW weight decay on matrices",
                           .range = Range{0, most.weight_decay}, .group = group});
  setting(o.clip, {.flag = "--clip", .key = "/clip", .help = "max gradient norm (0: off)", .range = Range{0, most.clip},
                   .group = group});
  setting(o.warmup, {.flag = "--warmup", .key = "/warmup", .help = "linear warmup steps",
                     .range = Range{0, most.warmup}, .group = group});
}

}  // namespace examples
