// Batches and the DataLoader: padding and masks, determinism, token budgets, bucketing and resume.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>

#include "ag/core/error.h"
#include "ag/data/data_loader.h"
#include "ag/data/random.h"

using namespace ag::data;

namespace {

// `n` examples with source lengths 1..max_len and target lengths that differ from them.
Dataset make_dataset(size_t n, uint64_t seed = 7, int64_t max_len = 30) {
  Rng rng(seed);
  Dataset data;
  for (size_t i = 0; i < n; ++i) {
    Example e;
    e.src.assign(static_cast<size_t>(uniform_int(rng, 1, max_len)), static_cast<int64_t>(4 + i % 50));
    e.tgt.assign(static_cast<size_t>(uniform_int(rng, 1, max_len)), static_cast<int64_t>(4 + i % 30));
    data.add(std::move(e));
  }
  return data;
}

// Every batch of the current epoch, as lists of dataset indices.
std::vector<std::vector<size_t>> epoch_indices(DataLoader& loader) {
  std::vector<std::vector<size_t>> out;
  while (auto batch = loader.next()) out.push_back(batch->indices);
  return out;
}

}  // namespace

TEST_CASE("make_batch pads, shifts the target and marks padding", "[data][loader]") {
  const Dataset data({{{5, 6, 7}, {8, 9}}, {{5}, {8}}});
  const std::vector<size_t> rows = {0, 1};
  const Batch b = make_batch(data, rows);
  CHECK(b.size == 2);
  CHECK(b.src_len == 3);
  CHECK(b.tgt_len == 3);
  CHECK(b.src == std::vector<int64_t>{5, 6, 7, 5, 0, 0});
  CHECK(b.tgt_in == std::vector<int64_t>{2, 8, 9, 2, 8, 0});
  CHECK(b.tgt_out == std::vector<int64_t>{8, 9, 3, 8, 3, 0});
  CHECK(b.src_padding == std::vector<uint8_t>{0, 0, 0, 0, 1, 1});
  CHECK(b.tgt_padding == std::vector<uint8_t>{0, 0, 0, 0, 0, 1});
  CHECK(b.num_tgt_tokens == 5);
  CHECK(b.indices == rows);
  CHECK_THROWS_WITH(make_batch(data, std::vector<size_t>{0, 2}), Catch::Contains("index 2 is out of range"));
}

TEST_CASE("a Batch converts to tensors of the right shape and dtype", "[data][loader]") {
  const Dataset data({{{5, 6, 7}, {8, 9}}, {{5}, {8}}});
  const Batch b = make_batch(data, std::vector<size_t>{0, 1});
  const ag::Tensor src = b.src_tensor();
  CHECK(src.sizes() == ag::Shape{2, 3});
  CHECK(src.dtype() == ag::kInt64);
  CHECK(src.to_vector<int64_t>() == b.src);
  CHECK(b.tgt_in_tensor().to_vector<int64_t>() == b.tgt_in);
  CHECK(b.tgt_out_tensor().to_vector<int64_t>() == b.tgt_out);
  const ag::Tensor mask = b.src_padding_mask();
  CHECK(mask.dtype() == ag::kBool);
  CHECK(mask.sizes() == ag::Shape{2, 3});
  CHECK(b.tgt_padding_mask().sizes() == ag::Shape{2, 3});
}

TEST_CASE("every epoch yields every example once, in a seed-determined order", "[data][loader]") {
  const Dataset data = make_dataset(500);
  DataLoader a(data, {.batch_size = 16, .seed = 1}), b(data, {.batch_size = 16, .seed = 1});
  DataLoader c(data, {.batch_size = 16, .seed = 2});
  for (int epoch = 0; epoch < 3; ++epoch) {
    const auto batches = epoch_indices(a);
    CHECK(batches == epoch_indices(b));
    CHECK(batches != epoch_indices(c));
    std::multiset<size_t> seen;
    for (const auto& batch : batches) {
      CHECK(batch.size() <= 16);
      seen.insert(batch.begin(), batch.end());
    }
    CHECK(seen.size() == 500);
    CHECK(std::set<size_t>(seen.begin(), seen.end()).size() == 500);
  }
  CHECK(a.epoch() == 3);
}

TEST_CASE("epochs differ, and no shuffle means dataset order", "[data][loader]") {
  const Dataset data = make_dataset(100);
  DataLoader loader(data, {.batch_size = 10, .seed = 3});
  CHECK(epoch_indices(loader) != epoch_indices(loader));
  DataLoader plain(data, {.batch_size = 10, .shuffle = false, .bucket = false});
  const auto batches = epoch_indices(plain);
  REQUIRE(batches.size() == 10);
  CHECK(batches[0] == std::vector<size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
}

TEST_CASE("a token budget bounds the padded size of every batch", "[data][loader]") {
  const Dataset data = make_dataset(400);
  DataLoader loader(data, {.max_tokens = 200, .seed = 5});
  size_t examples = 0;
  while (auto b = loader.next()) {
    examples += static_cast<size_t>(b->size);
    CHECK(b->size * std::max(b->src_len, b->tgt_len) <= 200);
  }
  CHECK(examples == 400);
  const Dataset one_long({{std::vector<int64_t>(300, 4), {5}}});
  DataLoader alone(one_long, {.max_tokens = 200});
  CHECK(alone.next()->src_len == 300);  // over budget on its own: a batch of one
}

TEST_CASE("bucketing by length wastes less padding", "[data][loader]") {
  const Dataset data = make_dataset(2000);
  const auto padding_fraction = [&](bool bucket) {
    DataLoader loader(data, {.batch_size = 32, .bucket = bucket, .seed = 9});
    double pads = 0, cells = 0;
    while (auto b = loader.next()) {
      for (uint8_t p : b->src_padding) pads += p;
      cells += static_cast<double>(b->src_padding.size());
    }
    return pads / cells;
  };
  CHECK(padding_fraction(true) < 0.2 * padding_fraction(false));
}

TEST_CASE("a restored loader continues with exactly the next batch", "[data][loader]") {
  const Dataset data = make_dataset(300);
  const LoaderOptions options{.max_tokens = 300, .seed = 11};
  DataLoader original(data, options);
  epoch_indices(original);  // finish epoch 0
  for (int i = 0; i < 5; ++i) original.next();
  const LoaderPosition saved = original.position();
  CHECK(saved.epoch == 1);
  CHECK(saved.batch == 5);

  std::vector<std::vector<size_t>> expected;  // the rest of epoch 1 and all of epoch 2
  for (int e = 0; e < 2; ++e) {
    for (auto& batch : epoch_indices(original)) expected.push_back(batch);
  }

  const nlohmann::json checkpoint = saved;  // as a training checkpoint would store it
  DataLoader resumed(data, options);
  resumed.restore(checkpoint.get<LoaderPosition>());
  std::vector<std::vector<size_t>> got;
  for (int e = 0; e < 2; ++e) {
    for (auto& batch : epoch_indices(resumed)) got.push_back(batch);
  }
  CHECK(got == expected);
  CHECK(resumed.epoch() == original.epoch());
}

TEST_CASE("the loader rejects bad options and foreign positions", "[data][loader]") {
  const Dataset data = make_dataset(10);
  CHECK_THROWS_WITH(DataLoader(data, {.batch_size = 0}), Catch::Contains("set batch_size"));
  DataLoader loader(data, {.batch_size = 4});
  LoaderPosition position = loader.position();
  const Dataset other = make_dataset(11);
  DataLoader other_loader(other, {.batch_size = 4});
  CHECK_THROWS_WITH(other_loader.restore(position), Catch::Contains("dataset of 10 examples, but this one has 11"));
  position.rng_state = "garbage";
  CHECK_THROWS_WITH(loader.restore(position), Catch::Contains("not a std::mt19937_64 state"));
  position = loader.position();
  position.batch = 99;
  CHECK_THROWS_WITH(loader.restore(position), Catch::Contains("past the end of epoch 0"));
}

TEST_CASE("a saved position is read with every count an integer in range", "[data][loader]") {
  const Dataset data = make_dataset(10);
  DataLoader loader(data, {.batch_size = 4});
  const nlohmann::json saved = loader.position();
  CHECK(saved.get<LoaderPosition>().dataset_size == 10);
  nlohmann::json old = saved;  // written before sharding existed: one rank
  old.erase("num_replicas");
  CHECK(old.get<LoaderPosition>().num_replicas == 1);
  // A checkpoint is a file from outside: a float where a count belongs was a float-to-integer
  // conversion (undefined behaviour), a negative one wrapped around.
  const std::vector<std::pair<std::string, nlohmann::json>> damaged = {
      {"epoch", 2.0e19},   {"epoch", 1.5},        {"batch", -1},          {"batch", "3"},
      {"num_replicas", 0}, {"num_replicas", 1e300}, {"dataset_size", 1e19}, {"dataset_size", -10}};
  for (const auto& [key, value] : damaged) {
    INFO(key << ": " << value.dump());
    nlohmann::json position = saved;
    position[key] = value;
    CHECK_THROWS_WITH(position.get<LoaderPosition>(), Catch::Contains("the data loader's " + key + " must be an integer"));
  }
}

TEST_CASE("an empty dataset gives empty epochs", "[data][loader]") {
  const Dataset empty;
  DataLoader loader(empty, {.batch_size = 4});
  CHECK(loader.num_batches() == 0);
  CHECK_FALSE(loader.next().has_value());
}
