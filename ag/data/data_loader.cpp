// Shuffling, bucketing and batching; see data_loader.h.
#include "ag/data/data_loader.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ag/core/error.h"
#include "ag/core/json_number.h"

namespace ag::data {

void to_json(nlohmann::json& j, const LoaderPosition& p) {
  j = {{"epoch", p.epoch},
       {"batch", p.batch},
       {"num_replicas", p.num_replicas},
       {"rng_state", p.rng_state},
       {"dataset_size", p.dataset_size}};
}

// Every count read as an integer in range (a checkpoint is a file from outside: 2.0e19 or 1.5 is an
// error naming the field, never a float cast to an integer).
void from_json(const nlohmann::json& j, LoaderPosition& p) {
  constexpr int64_t kMostReplicas = int64_t{1} << 24;
  p.epoch = static_cast<uint64_t>(json_integer(j.at("epoch"), "the data loader's epoch", 0));
  p.batch = static_cast<uint64_t>(json_integer(j.at("batch"), "the data loader's batch", 0));
  p.num_replicas = j.contains("num_replicas")  // positions saved before sharding existed: one rank
                       ? static_cast<size_t>(json_integer(j["num_replicas"], "the data loader's num_replicas", 1,
                                                          kMostReplicas))
                       : 1;
  p.rng_state = j.at("rng_state").get<std::string>();
  p.dataset_size = static_cast<size_t>(json_integer(j.at("dataset_size"), "the data loader's dataset_size", 0));
}

DataLoader::DataLoader(const Dataset& dataset, LoaderOptions options) : dataset_(dataset), options_(options) {
  AG_CHECK(options_.batch_size > 0 || options_.max_tokens > 0,
           "DataLoader: set batch_size (sentences per batch) or max_tokens (tokens per batch) above 0");
  AG_CHECK(options_.pool_batches > 0, "DataLoader: pool_batches must be at least 1");
  AG_CHECK(options_.num_replicas > 0 && options_.rank < options_.num_replicas,
           "DataLoader: rank {} is not one of the {} replicas (ranks 0..num_replicas-1)", options_.rank,
           options_.num_replicas);
  rng_.seed(options_.seed);
  plan_epoch();
}

size_t DataLoader::cost(size_t index) const {
  const Example& e = dataset_.get(index);
  return std::max(e.src.size(), e.tgt.size() + 1);
}

std::optional<Batch> DataLoader::next() {
  if (batch_ >= plan_.size()) {
    ++epoch_;
    plan_epoch();
    return std::nullopt;
  }
  return make_batch(dataset_, plan_[batch_++]);
}

void DataLoader::plan_epoch() {
  std::ostringstream state;
  state << rng_;
  epoch_start_state_ = state.str();
  batch_ = 0;

  std::vector<size_t> order(dataset_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (options_.shuffle) shuffle(order, rng_);
  if (options_.bucket && !order.empty()) {
    size_t per_batch = options_.batch_size;
    if (options_.max_tokens > 0) {
      size_t total = 0;
      for (size_t i : order) total += cost(i);
      per_batch = std::max<size_t>(1, options_.max_tokens * order.size() / std::max<size_t>(1, total));
    }
    const size_t pool = options_.pool_batches * per_batch;
    const auto by_length = [&](size_t a, size_t b) {
      const Example &x = dataset_.get(a), &y = dataset_.get(b);
      return std::pair(x.src.size(), x.tgt.size()) < std::pair(y.src.size(), y.tgt.size());
    };
    for (size_t start = 0; start < order.size(); start += pool) {
      const auto first = order.begin() + static_cast<std::ptrdiff_t>(start);
      std::stable_sort(first, first + static_cast<std::ptrdiff_t>(std::min(pool, order.size() - start)), by_length);
    }
  }
  plan_ = cut_into_batches(order);
  if (options_.shuffle) shuffle(plan_, rng_);
  take_shard();
}

void DataLoader::take_shard() {
  const size_t n = options_.num_replicas, all = plan_.size();
  epoch_batches_ = all;
  if (n == 1 || all == 0) return;
  const size_t rounds = options_.drop_last ? all / n : (all + n - 1) / n;
  std::vector<std::vector<size_t>> mine;
  for (size_t k = 0; k < rounds; ++k) mine.push_back(plan_[(k * n + options_.rank) % all]);
  plan_ = std::move(mine);
}

std::vector<std::vector<size_t>> DataLoader::cut_into_batches(const std::vector<size_t>& order) const {
  std::vector<std::vector<size_t>> batches;
  std::vector<size_t> current;
  size_t longest = 0;  // the largest cost in `current`
  for (size_t i : order) {
    const size_t c = cost(i);
    const bool full = options_.max_tokens > 0 ? (current.size() + 1) * std::max(longest, c) > options_.max_tokens
                                              : current.size() == options_.batch_size;
    if (full && !current.empty()) {
      batches.push_back(std::move(current));
      current.clear();
      longest = 0;
    }
    current.push_back(i);
    longest = std::max(longest, c);
  }
  if (!current.empty()) batches.push_back(std::move(current));
  return batches;
}

LoaderPosition DataLoader::position() const {
  return {epoch_, batch_ * options_.num_replicas, options_.num_replicas, epoch_start_state_, dataset_.size()};
}

void DataLoader::restore(const LoaderPosition& position) {
  AG_CHECK(position.dataset_size == dataset_.size(),
           "DataLoader::restore: the position was saved for a dataset "
           "of {} examples, but this one has {}",
           position.dataset_size, dataset_.size());
  std::istringstream state(position.rng_state);
  state >> rng_;
  AG_CHECK(!state.fail(), "DataLoader::restore: the saved generator state is not a std::mt19937_64 state");
  epoch_ = position.epoch;
  plan_epoch();
  // N ranks completing their last round may have gone up to N - 1 batches past the epoch's end.
  AG_CHECK(position.batch < epoch_batches_ + std::max<size_t>(position.num_replicas, 1),
           "DataLoader::restore: batch {} is past the end of epoch {} ({} batches); "
           "were the loader options changed?",
           position.batch, position.epoch, epoch_batches_);
  const size_t n = options_.num_replicas;
  batch_ = std::min((position.batch + n - 1) / n, plan_.size());  // this rank's, at the first whole round
}

}  // namespace ag::data
