// ZeroRedundancyOptimizer steps exactly as the plain optimizer over every parameter, keeps state for
// its own slice only, and writes checkpoints that load at any world size.
#include <catch2/catch.hpp>

#include "ag/distributed/collectives.h"
#include "ag/distributed/distributed_data_parallel.h"
#include "ag/distributed/zero_redundancy_optimizer.h"
#include "ag/nn/functional/loss.h"
#include "ag/optim/adam.h"
#include "helpers.h"

using namespace ag;
using namespace ag::distributed;
using ag::test::copy_of;
using ag::test::max_abs_diff;
using ag::test::TinyNet;
namespace F = ag::nn::functional;

namespace {

std::unique_ptr<optim::Optimizer> adam(std::vector<Tensor> params) {
  return std::make_unique<optim::Adam>(std::move(params), optim::AdamOptions(0.05).weight_decay(0.01));
}

// One data-parallel step on this rank's rows of a batch every rank draws alike.
template <typename Optimizer>
void train_step(TinyNet& model, DistributedDataParallel& ddp, Optimizer& optimizer, uint64_t step) {
  manual_seed(500 + step);
  const int64_t rows = 4;
  Tensor x = randn({rows * world_size(), 4}, kFloat64), y = randn({rows * world_size(), 3}, kFloat64);
  optimizer.zero_grad();
  F::mse_loss(model(x.narrow(0, rows * rank(), rows)), y.narrow(0, rows * rank(), rows)).backward();
  ddp.sync_gradients();
  optimizer.step();
}

void check_same_weights(const TinyNet& a, const TinyNet& b) {
  const auto x = a->named_parameters(), y = b->named_parameters();
  for (size_t i = 0; i < x.size(); ++i) {
    INFO(x[i].first);
    CHECK(max_abs_diff(x[i].second, y[i].second) < 1e-12);
  }
}

}  // namespace

TEST_CASE("the sharded optimizer steps exactly as the unsharded one", "[distributed][zero]") {
  manual_seed(3);
  TinyNet sharded_model, plain_model;
  plain_model->load_state_dict(sharded_model->state_dict());
  DistributedDataParallel sharded_ddp(sharded_model.ptr()), plain_ddp(plain_model.ptr());
  ZeroRedundancyOptimizer sharded(sharded_model->parameters(), adam);
  optim::Adam plain(plain_model->parameters(), optim::AdamOptions(0.05).weight_decay(0.01));
  for (uint64_t step = 0; step < 5; ++step) {
    train_step(sharded_model, sharded_ddp, sharded, step);
    train_step(plain_model, plain_ddp, plain, step);
  }
  check_same_weights(sharded_model, plain_model);

  // Each rank holds state for its own parameters only, and together they hold all of it once.
  const size_t params = sharded_model->parameters().size();
  size_t owned = sharded.optimizer().parameters().size();
  Tensor total = tensor({static_cast<float>(owned)});
  all_reduce(total);
  CHECK(total.item() == static_cast<double>(params));
  if (world_size() > 1) CHECK(owned < params);

  // The consolidated checkpoint is the plain optimizer's, key for key.
  const optim::StateDict whole = sharded.state_dict(), reference = plain.state_dict();
  REQUIRE(whole.size() == reference.size());
  for (const auto& [key, value] : reference) {
    INFO(key);
    REQUIRE(whole.count(key));
    CHECK(max_abs_diff(whole.at(key), value) < 1e-12);
  }
}

TEST_CASE("a checkpoint of the sharded optimizer resumes at another world size", "[distributed][zero]") {
  // A plain optimizer's state is what a sharded one writes at any world size: save from a plain
  // Adam (a world of one), load into the sharded one here, and both continue identically.
  manual_seed(4);
  TinyNet sharded_model, plain_model;
  plain_model->load_state_dict(sharded_model->state_dict());
  DistributedDataParallel sharded_ddp(sharded_model.ptr()), plain_ddp(plain_model.ptr());
  optim::Adam plain(plain_model->parameters(), optim::AdamOptions(0.05).weight_decay(0.01));
  for (uint64_t step = 0; step < 3; ++step) train_step(plain_model, plain_ddp, plain, step);
  sharded_model->load_state_dict(plain_model->state_dict());

  ZeroRedundancyOptimizer sharded(sharded_model->parameters(), adam);
  sharded.load_state_dict(plain.state_dict());
  for (uint64_t step = 3; step < 5; ++step) {
    train_step(sharded_model, sharded_ddp, sharded, step);
    train_step(plain_model, plain_ddp, plain, step);
  }
  check_same_weights(sharded_model, plain_model);

  optim::StateDict wrong = plain.state_dict();
  wrong["param_groups.0.params"] = from_vector(std::vector<int64_t>{0, 1}, {2});
  CHECK_THROWS_WITH(sharded.load_state_dict(wrong), Catch::Contains("one parameter group of 5 parameters"));
}

TEST_CASE("the sharded optimizer refuses more ranks than parameters", "[distributed][zero]") {
  Tensor only = ones({2}, TensorOptions(kFloat64).requires_grad());
  if (world_size() == 1) {
    CHECK_NOTHROW(ZeroRedundancyOptimizer({only}, adam));
  } else {
    CHECK_THROWS_WITH(ZeroRedundancyOptimizer({only}, adam), Catch::Contains("every rank must own at least one"));
  }
}
