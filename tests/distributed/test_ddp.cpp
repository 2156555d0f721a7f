// DistributedDataParallel equals one process training on the union of every rank's batch: the same
// gradients (float64, to ~1e-14), the same weights after optimizer steps, with accumulation, with
// parameters that get no gradient, with many buckets. Run at 1, 2 and 3 ranks.
#include <catch2/catch.hpp>

#include "ag/distributed/collectives.h"
#include "ag/distributed/distributed_data_parallel.h"
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

constexpr int64_t kRows = 5;  // examples per rank per step
constexpr double kTight = 1e-13;

// The whole step's batch, the same on every rank: (world * kRows, 4) inputs, (world * kRows, 3) targets.
std::pair<Tensor, Tensor> global_batch(uint64_t step, int64_t parts = 1) {
  manual_seed(1000 + step);
  const int64_t rows = world_size() * kRows * parts;
  return {randn({rows, 4}, kFloat64), randn({rows, 3}, kFloat64)};
}

Tensor rows_of(const Tensor& t, int64_t part, int64_t parts = 1) { return t.narrow(0, part * kRows * parts, kRows * parts); }

// A model whose weights differ on every rank, as if each had been initialized on its own.
TinyNet model_on_this_rank(int64_t hidden = 8) {
  manual_seed(static_cast<uint64_t>(7 + rank()));
  return TinyNet(hidden);
}

// Every parameter's gradient equals the reference model's.
void check_gradients(const TinyNet& model, const TinyNet& reference) {
  const auto mine = model->named_parameters(), theirs = reference->named_parameters();
  for (size_t i = 0; i < mine.size(); ++i) {
    INFO(mine[i].first);
    REQUIRE(mine[i].second.grad().defined() == theirs[i].second.grad().defined());
    if (mine[i].second.grad().defined()) CHECK(max_abs_diff(mine[i].second.grad(), theirs[i].second.grad()) < kTight);
  }
}

}  // namespace

TEST_CASE("DDP starts every rank from rank 0's weights", "[distributed][ddp]") {
  TinyNet model = model_on_this_rank();
  DistributedDataParallel ddp(model.ptr());
  for (auto& [name, p] : model->named_parameters()) {
    Tensor rank0 = p.clone();
    broadcast(rank0, 0);
    INFO(name);
    CHECK(max_abs_diff(p, rank0) == 0);
  }
}

TEST_CASE("DDP gradients equal one process's over the union of the ranks' batches", "[distributed][ddp]") {
  // Default buckets (all in one), and buckets so small that every parameter is its own.
  for (double cap_mb : {25.0, 1e-6}) {
    TinyNet model = model_on_this_rank();
    DistributedDataParallel ddp(model.ptr(), DistributedDataParallelOptions().bucket_cap_mb(cap_mb).first_bucket_cap_mb(cap_mb));
    TinyNet reference = copy_of(model);
    auto [x, y] = global_batch(0);
    F::mse_loss(model(rows_of(x, rank())), rows_of(y, rank())).backward();
    ddp.sync_gradients();
    F::mse_loss(reference(x), y).backward();
    INFO("bucket cap " << cap_mb << " MB");
    check_gradients(model, reference);
  }
}

TEST_CASE("DDP buckets gradients in reverse registration order, a small first bucket first", "[distributed][ddp]") {
  TinyNet model = model_on_this_rank(300);  // fc2.weight: 3 x 300 doubles = 7.2 kB
  DistributedDataParallel ddp(model.ptr(), DistributedDataParallelOptions().first_bucket_cap_mb(0.001).bucket_cap_mb(0.01));
  // Registration order is spare (a module's own parameters come first), fc1.*, fc2.*. The first
  // bucket holds 1 kB, the others 10 kB: fc2.weight (7.2 kB) opens the second, fc1.weight the third.
  const std::vector<std::vector<std::string>> expected = {
      {"fc2.bias"}, {"fc2.weight", "fc1.bias"}, {"fc1.weight", "spare"}};
  CHECK(ddp.bucket_names() == expected);
}

TEST_CASE("five Adam steps of DDP equal five steps of one process on the combined batch", "[distributed][ddp]") {
  TinyNet model = model_on_this_rank();
  DistributedDataParallel ddp(model.ptr());
  TinyNet reference = copy_of(model);
  optim::Adam optimizer(model->parameters(), optim::AdamOptions(0.05));
  optim::Adam reference_optimizer(reference->parameters(), optim::AdamOptions(0.05));
  for (uint64_t step = 0; step < 5; ++step) {
    auto [x, y] = global_batch(step);
    optimizer.zero_grad();
    F::mse_loss(model(rows_of(x, rank())), rows_of(y, rank())).backward();
    ddp.sync_gradients();
    optimizer.step();
    reference_optimizer.zero_grad();
    F::mse_loss(reference(x), y).backward();
    reference_optimizer.step();
  }
  const auto mine = model->named_parameters(), theirs = reference->named_parameters();
  for (size_t i = 0; i < mine.size(); ++i) {
    INFO(mine[i].first);
    CHECK(max_abs_diff(mine[i].second, theirs[i].second) < 1e-12);
  }
}

TEST_CASE("accumulating under no_sync equals one big batch", "[distributed][ddp]") {
  TinyNet model = model_on_this_rank();
  DistributedDataParallel ddp(model.ptr());
  TinyNet reference = copy_of(model);
  auto [x, y] = global_batch(0, /*parts=*/2);  // each rank: two micro-batches of kRows
  const Tensor mx = rows_of(x, rank(), 2), my = rows_of(y, rank(), 2);
  {
    auto guard = ddp.no_sync();
    (F::mse_loss(model(mx.narrow(0, 0, kRows)), my.narrow(0, 0, kRows)) * 0.5).backward();
    ddp.sync_gradients();  // inside no_sync: nothing is sent
  }
  (F::mse_loss(model(mx.narrow(0, kRows, kRows)), my.narrow(0, kRows, kRows)) * 0.5).backward();
  ddp.sync_gradients();
  F::mse_loss(reference(x), y).backward();
  check_gradients(model, reference);
}

TEST_CASE("a parameter only some ranks use gets the average; one no rank uses keeps no gradient", "[distributed][ddp]") {
  TinyNet model = model_on_this_rank();
  DistributedDataParallel ddp(model.ptr(), DistributedDataParallelOptions().first_bucket_cap_mb(1e-6));
  TinyNet reference = copy_of(model);
  auto [x, y] = global_batch(0);
  // Only rank 0 multiplies by `spare`: the other ranks' first bucket never fills during backward.
  F::mse_loss(model(rows_of(x, rank()), rank() == 0), rows_of(y, rank())).backward();
  ddp.sync_gradients();
  Tensor loss = zeros({}, kFloat64);
  for (int r = 0; r < world_size(); ++r) loss = loss + F::mse_loss(reference(rows_of(x, r), r == 0), rows_of(y, r));
  (loss / double(world_size())).backward();
  check_gradients(model, reference);

  model->zero_grad();
  F::mse_loss(model(rows_of(x, rank()), false), rows_of(y, rank())).backward();
  ddp.sync_gradients();
  CHECK_FALSE(model->spare.grad().defined());
  CHECK(model->fc1->weight.grad().defined());
}

TEST_CASE("a second backward without sync_gradients is an error that says what to call", "[distributed][ddp]") {
  TinyNet model = model_on_this_rank();
  DistributedDataParallel ddp(model.ptr());
  auto [x, y] = global_batch(0);
  F::mse_loss(model(rows_of(x, rank())), rows_of(y, rank())).backward();
  CHECK_THROWS_WITH(F::mse_loss(model(rows_of(x, rank())), rows_of(y, rank())).backward(),
                    Catch::Contains("received a second gradient") && Catch::Contains("sync_gradients()"));
}

TEST_CASE("models that differ across ranks are refused, naming the first difference and both ranks", "[distributed][ddp]") {
  if (world_size() == 1) return;
  TinyNet model = model_on_this_rank(rank() == 1 ? 9 : 8);
  CHECK_THROWS_WITH(DistributedDataParallel(model.ptr()),
                    Catch::Contains("DistributedDataParallel: the ranks do not hold the same tensors: rank 0 has "
                                    "parameter fc1.weight float64 (8, 4) but rank 1 has parameter fc1.weight float64 (9, 4)"));
}
