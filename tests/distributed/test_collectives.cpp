// The collectives at any world size: each rank contributes values that depend on its rank, and each
// checks the result against the formula. Errors must reach every rank (nobody left waiting).
#include <catch2/catch.hpp>
#include <cstdlib>

#include "ag/ag.h"
#include "ag/distributed/collectives.h"

using namespace ag;
using namespace ag::distributed;

namespace {

// Rank r's contribution: (2, 3) values 10 r + i.
Tensor of_rank(int r, Dtype dtype) {
  return arange(0, 6, 1, dtype).reshape({2, 3}) + 10.0 * r;
}

}  // namespace

TEST_CASE("all_reduce sums, averages and takes the maximum over ranks", "[distributed]") {
  const int n = world_size(), me = rank();
  for (Dtype dtype : {kFloat32, kFloat64}) {
    const Tensor base = arange(0, 6, 1, dtype).reshape({2, 3});
    const double rank_sum = 10.0 * n * (n - 1) / 2;  // sum of 10 r over r
    Tensor sum = of_rank(me, dtype), average = of_rank(me, dtype), max = of_rank(me, dtype);
    all_reduce(sum, ReduceOp::Sum);
    all_reduce(average, ReduceOp::Average);
    all_reduce(max, ReduceOp::Max);
    CHECK(sum.to_vector<double>() == (base * double(n) + rank_sum).to_vector<double>());
    CHECK(average.to_vector<double>() == (base + rank_sum / n).to_vector<double>());
    CHECK(max.to_vector<double>() == of_rank(n - 1, dtype).to_vector<double>());
    CHECK(sum.dtype() == dtype);
  }
}

TEST_CASE("broadcast copies the source rank's tensor to every rank", "[distributed]") {
  const int n = world_size();
  Tensor t = of_rank(rank(), kFloat64);
  broadcast(t, n - 1);
  CHECK(t.to_vector<double>() == of_rank(n - 1, kFloat64).to_vector<double>());
}

TEST_CASE("broadcast_string copies the source rank's bytes, any length, to every rank", "[distributed]") {
  const int last = world_size() - 1;
  // The source's text holds a zero byte and is longer than any other rank's, so the others must resize.
  std::string text = rank() == last ? std::string("from the last rank\0 with a zero byte", 36) + std::string(5000, 'x')
                                    : std::string(3, 'a' + static_cast<char>(rank()));
  broadcast_string(text, last);
  CHECK(text == std::string("from the last rank\0 with a zero byte", 36) + std::string(5000, 'x'));
  std::string empty = rank() == 0 ? "" : "not empty";
  broadcast_string(empty, 0);
  CHECK(empty.empty());
}

TEST_CASE("all_gather stacks every rank's tensor along dim 0, in rank order", "[distributed]") {
  const int n = world_size();
  Tensor out = zeros({2 * n, 3});
  all_gather(out, of_rank(rank(), kFloat32));
  for (int r = 0; r < n; ++r) CHECK(out.narrow(0, 2 * r, 2).to_vector<float>() == of_rank(r, kFloat32).to_vector<float>());
}

TEST_CASE("reduce_scatter gives rank r the reduction of every rank's r-th block", "[distributed]") {
  const int n = world_size(), me = rank();
  const Tensor base = arange(0, 6, 1, kFloat64).reshape({2, 3});
  // Every rank's input is (2n, 3): block b holds base + 100 b + 10 r.
  std::vector<Tensor> blocks;
  for (int b = 0; b < n; ++b) blocks.push_back(base + (100.0 * b + 10.0 * me));
  const Tensor input = cat(blocks, 0);
  Tensor sum = zeros({2, 3}, kFloat64), average = zeros({2, 3}, kFloat64);
  reduce_scatter(sum, input, ReduceOp::Sum);
  reduce_scatter(average, input, ReduceOp::Average);
  const double ranks = 10.0 * n * (n - 1) / 2;
  CHECK(sum.to_vector<double>() == (base * double(n) + (100.0 * me * n + ranks)).to_vector<double>());
  CHECK(average.to_vector<double>() == (base + (100.0 * me + ranks / n)).to_vector<double>());
}

TEST_CASE("a non-blocking collective runs while the caller works, and wait() delivers it", "[distributed]") {
  Tensor t = of_rank(rank(), kFloat64);
  Work work = all_reduce(t, ReduceOp::Max, /*async_op=*/true);
  Tensor other = of_rank(rank(), kFloat64);
  Work second = broadcast(other, 0, /*async_op=*/true);
  second.wait();
  work.wait();
  work.wait();  // waiting twice is harmless
  CHECK(work.is_completed());
  CHECK(t.to_vector<double>() == of_rank(world_size() - 1, kFloat64).to_vector<double>());
  CHECK(other.to_vector<double>() == of_rank(0, kFloat64).to_vector<double>());
}

TEST_CASE("a bad tensor on one rank is an error on every rank, naming the op and the rank", "[distributed]") {
  const int n = world_size(), last = n - 1;
  Tensor undefined_on_last = rank() == last ? Tensor() : zeros({2});
  CHECK_THROWS_WITH(all_reduce(undefined_on_last),
                    Catch::Contains("all_reduce") && Catch::Contains(fmt::format("rank {}'s tensor is undefined", last)));
  Tensor transposed = zeros({2, 3}).t();
  CHECK_THROWS_WITH(broadcast(transposed), Catch::Contains("broadcast") && Catch::Contains("not contiguous"));
  Tensor integers = zeros({2}, kInt64);
  CHECK_THROWS_WITH(all_reduce(integers), Catch::Contains("only float32 and float64"));
  Tensor wrong_out = zeros({3, 3});
  CHECK_THROWS_WITH(all_gather(wrong_out, zeros({2, 3})), Catch::Contains("all_gather") && Catch::Contains("output"));
  Tensor t = zeros({2});
  CHECK_THROWS_WITH(broadcast(t, n), Catch::Contains(fmt::format("source rank {}, outside the world", n)));
  // After all of those, the ranks are still in step.
  Tensor ok = ones({2});
  all_reduce(ok);
  CHECK(ok.to_vector<float>() == std::vector<float>(2, float(n)));
}

TEST_CASE("ranks passing different shapes all get an error naming both shapes", "[distributed]") {
  if (world_size() == 1) return;  // one rank cannot disagree with itself
  Tensor t = zeros({2, rank() + 1});
  CHECK_THROWS_WITH(all_reduce(t), Catch::Contains("all_reduce: the ranks' tensors differ: rank 0 has float32 (2, 1) "
                                                   "but rank 1 has float32 (2, 2)"));
  Tensor u = zeros({2});
  auto mismatched = [&] { rank() == 0 ? all_reduce(u) : broadcast(u, 0); };
  CHECK_THROWS_WITH(mismatched(), Catch::Contains("rank 0 called all_reduce but rank 1 called broadcast"));
  CHECK_THROWS_WITH(all_reduce(u, rank() == 0 ? ReduceOp::Sum : ReduceOp::Max),
                    Catch::Contains("all_reduce: rank 0 passed ReduceOp Sum but rank 1 passed ReduceOp Max"));
}

TEST_CASE("a collective before init() says to call init()", "[distributed]") {
  if (world_size() > 1) return;  // MPI cannot be started again once finalized; the world of one can
  finalize();
  Tensor t = zeros({2});
  CHECK_THROWS_WITH(all_reduce(t), Catch::Contains("all_reduce: the process group is not initialized; call "
                                                   "ag::distributed::init() first"));
  CHECK_THROWS_WITH(rank(), Catch::Contains("init()"));
  init();
  CHECK(world_size() == 1);
}

TEST_CASE("launched_world_size reads the launcher's environment, with or without MPI", "[distributed]") {
  // Under mpirun it agrees with the process group; alone it is 1 unless a launcher's variable says
  // otherwise (a build without MPI started by mpirun sees exactly that).
  CHECK(launched_world_size() == world_size());
  if (world_size() > 1) return;  // the environment of a real job stays as mpirun made it
  setenv("PMI_SIZE", "4", 1);
  CHECK(launched_world_size() == 4);
  setenv("PMI_SIZE", "four", 1);
  CHECK(launched_world_size() == 1);
  unsetenv("PMI_SIZE");
}
