// DataLoader's shards for data-parallel training: disjoint, covering, equally long, resumable at
// another number of ranks.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>

#include "ag/data/data_loader.h"

using namespace ag::data;

namespace {

// `n` examples whose lengths cycle through 1..9, so bucketing has something to sort.
Dataset numbered(size_t n) {
  Dataset data;
  for (size_t i = 0; i < n; ++i) data.add({std::vector<int64_t>(1 + i % 9, 5), std::vector<int64_t>(1 + i % 7, 6)});
  return data;
}

// This rank's batches of the first epoch.
std::vector<std::vector<size_t>> shard(const Dataset& data, LoaderOptions options) {
  DataLoader loader(data, options);
  std::vector<std::vector<size_t>> out;
  while (auto batch = loader.next()) out.push_back(batch->indices);
  return out;
}

}  // namespace

TEST_CASE("the ranks' shards are disjoint, cover the epoch and are equally long", "[data][loader]") {
  const Dataset data = numbered(100);  // 25 batches of 4: 3 ranks get 9 each, two completed from the start
  const LoaderOptions whole{.batch_size = 4, .seed = 3};
  const auto all = shard(data, whole);
  REQUIRE(all.size() == 25);
  std::multiset<std::vector<size_t>> seen;
  for (size_t r = 0; r < 3; ++r) {
    LoaderOptions options = whole;
    options.num_replicas = 3, options.rank = r;
    const auto mine = shard(data, options);
    CHECK(mine.size() == 9);
    for (size_t k = 0; k < mine.size(); ++k) CHECK(mine[k] == all[(k * 3 + r) % all.size()]);
    seen.insert(mine.begin(), mine.end());
  }
  CHECK(std::set<std::vector<size_t>>(seen.begin(), seen.end()).size() == 25);  // every batch, and
  CHECK(seen.size() == 27);                                                      // two repeated to even out

  LoaderOptions dropping = whole;
  dropping.num_replicas = 3, dropping.drop_last = true;
  for (size_t r = 0; r < 3; ++r) {
    dropping.rank = r;
    CHECK(shard(data, dropping).size() == 8);
  }
}

TEST_CASE("a position saved by 2 ranks resumes on 3 after the batches all of them consumed", "[data][loader]") {
  const Dataset data = numbered(120);  // 30 batches
  LoaderOptions two{.batch_size = 4, .seed = 5, .num_replicas = 2, .rank = 1};
  DataLoader loader(data, two);
  for (int k = 0; k < 4; ++k) loader.next();
  const LoaderPosition saved = loader.position();
  CHECK(saved.batch == 8);  // 2 ranks x 4 batches
  const LoaderPosition parsed = nlohmann::json(saved).get<LoaderPosition>();
  CHECK(parsed.num_replicas == 2);

  LoaderOptions three = two;
  three.num_replicas = 3, three.rank = 2;
  DataLoader resumed(data, three);
  resumed.restore(parsed);
  const auto all = shard(data, {.batch_size = 4, .seed = 5});
  // Round 3 of 3 ranks starts at batch 9: batch 8 (the next for 2 ranks) is skipped, none repeated.
  CHECK(resumed.next()->indices == all[3 * 3 + 2]);
  CHECK(resumed.position().batch == 12);
}

TEST_CASE("the loader refuses a rank outside the replicas", "[data][loader]") {
  const Dataset data = numbered(10);
  CHECK_THROWS_WITH(DataLoader(data, {.batch_size = 4, .num_replicas = 2, .rank = 2}),
                    Catch::Contains("rank 2 is not one of the 2 replicas"));
}
