// ag::optim: optimizers, learning-rate schedules, gradient clipping and weight averaging, as
// torch::optim and torch::nn::utils in libtorch. One include for all of it.
#pragma once
#include "ag/optim/adam.h"
#include "ag/optim/clip_grad.h"
#include "ag/optim/ema.h"
#include "ag/optim/lr_scheduler.h"
#include "ag/optim/optimizer.h"
#include "ag/optim/sgd.h"
#include "ag/optim/state_dict.h"
