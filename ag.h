// ag: one include for the whole framework, as <torch/torch.h> is for libtorch.
#pragma once
#include "core/autograd/engine.h"
#include "core/autograd/grad_mode.h"
#include "core/autograd/node.h"
#include "core/dot.h"
#include "core/factory.h"
#include "core/generator.h"
#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "core/print.h"
#include "core/serialize.h"
#include "core/tensor.h"
