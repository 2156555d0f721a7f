// ag::train: everything a training program needs besides its model, in one include. The tour's
// chapter docs/train.md shows a complete loop built from these pieces.
#pragma once
#include "ag/train/checkpoint.h"
#include "ag/train/flag_ranges.h"
#include "ag/train/heatmap.h"
#include "ag/train/interrupt.h"
#include "ag/train/loop.h"
#include "ag/train/metrics_log.h"
#include "ag/train/plot.h"
#include "ag/train/progress.h"
#include "ag/train/run_dir.h"
#include "ag/train/run_program.h"
#include "ag/train/settings.h"
