// Training over a DataLoader's shards: a dataset that does not divide evenly among the ranks must
// still give every rank the same number of steps, or the job would hang in the last all-reduce.
#include <catch2/catch.hpp>

#include "ag/data/data_loader.h"
#include "ag/distributed/collectives.h"
#include "ag/distributed/distributed_data_parallel.h"
#include "ag/nn/functional/loss.h"
#include "ag/optim/sgd.h"
#include "helpers.h"

using namespace ag;
using namespace ag::distributed;
namespace F = ag::nn::functional;

TEST_CASE("uneven shards train the same number of steps on every rank, without hanging", "[distributed][data]") {
  data::Dataset dataset;
  for (int64_t i = 0; i < 7; ++i) dataset.add({{i, i + 1, i + 2, i + 3}, {i, i, i}});  // 7 examples: uneven for 2 and 3
  const int n = world_size();
  data::DataLoader loader(dataset, {.batch_size = 1, .seed = 1, .num_replicas = static_cast<size_t>(n),
                                    .rank = static_cast<size_t>(rank())});
  test::TinyNet model;
  DistributedDataParallel ddp(model.ptr());
  optim::SGD optimizer(model->parameters(), 0.01);
  int64_t steps = 0;
  while (auto batch = loader.next()) {
    const auto& example = dataset.get(batch->indices[0]);
    Tensor x = from_vector(std::vector<double>(example.src.begin(), example.src.end()), {1, 4}, kFloat64);
    Tensor y = from_vector(std::vector<double>(example.tgt.begin(), example.tgt.end()), {1, 3}, kFloat64);
    optimizer.zero_grad();
    F::mse_loss(model(x), y).backward();
    ddp.sync_gradients();
    optimizer.step();
    ++steps;
  }
  Tensor fewest = tensor({-static_cast<float>(steps)}), most = tensor({static_cast<float>(steps)});
  all_reduce(fewest, ReduceOp::Max);
  all_reduce(most, ReduceOp::Max);
  CHECK(-fewest.item() == most.item());
  CHECK(steps == (7 + n - 1) / n);
}
