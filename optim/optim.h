// ag::optim: optimizers, learning-rate schedules, gradient clipping and weight averaging, as
// torch::optim and torch::nn::utils in libtorch. One include for all of it.
#pragma once
#include "optim/adam.h"
#include "optim/clip_grad.h"
#include "optim/ema.h"
#include "optim/lr_scheduler.h"
#include "optim/optimizer.h"
#include "optim/sgd.h"
#include "optim/state_dict.h"
