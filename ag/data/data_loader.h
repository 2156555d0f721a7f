// DataLoader: shuffles a Dataset with its own seeded generator and cuts it into padded Batches.
//
//   ag::data::DataLoader loader(train, {.max_tokens = 4096, .seed = 42});
//   for (int epoch = 0; epoch < 10; ++epoch)
//     while (auto batch = loader.next()) train_step(*batch);   // nullopt ends the epoch
//
// Each epoch the loader (1) shuffles the example order, (2) sorts pools of about `pool_batches`
// batches' worth of examples by length, so a batch holds sentences of similar length and little
// padding is wasted (torchtext's BucketIterator), (3) cuts the pools into batches by sentence count
// or by a token budget, and (4) shuffles the batches, so lengths do not rise through the epoch.
//
// Data-parallel training (torch's DistributedSampler): with num_replicas = N and rank = r, every
// rank plans the same epoch from the same seed and takes batches r, r + N, r + 2N, ... of it, so the
// ranks' shards are disjoint and together cover the epoch. Every rank gets the same number of
// batches, or a rank would wait forever in a collective the others never reach: the last round is
// completed with batches from the start of the epoch (drop_last = false), or dropped (true).
//
// Resuming: position() captures (epoch, batch, generator state at the start of the epoch);
// restore() re-plans that epoch from the saved state and skips to the saved batch, so a resumed run
// sees exactly the batches an uninterrupted one would have seen.
#pragma once
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ag/data/batch.h"
#include "ag/data/dataset.h"
#include "ag/data/random.h"

namespace ag::data {

struct LoaderOptions {
  size_t batch_size = 32;  // sentences per batch, when max_tokens is 0
  size_t max_tokens = 0;   // token budget: B * max(S, T) <= max_tokens (an example over budget goes alone)
  bool shuffle = true;
  bool bucket = true;         // group sentences of similar length
  size_t pool_batches = 100;  // how many batches' worth of examples are length-sorted together
  uint64_t seed = 0;
  size_t num_replicas = 1;  // ranks sharing each epoch (ag::distributed::world_size())
  size_t rank = 0;          // this rank's shard (ag::distributed::rank())
  bool drop_last = false;   // with several ranks: drop the last, incomplete round instead of completing it
};

struct LoaderPosition {
  uint64_t epoch = 0;
  // The next batch to yield within the epoch, counted over every rank: N ranks that each yielded
  // k batches are at batch k * N. Restored with M ranks, each rank continues at the first whole
  // round of M at or after it, so a checkpoint written by N ranks resumes on M.
  uint64_t batch = 0;
  size_t num_replicas = 1;  // the ranks that saved it
  std::string rng_state;    // the generator at the start of `epoch`
  size_t dataset_size = 0;  // checked on restore: a position only fits the dataset it came from
};
void to_json(nlohmann::json& j, const LoaderPosition& p);
void from_json(const nlohmann::json& j, LoaderPosition& p);

class DataLoader {
 public:
  // The loader keeps a reference: `dataset` must outlive it.
  DataLoader(const Dataset& dataset, LoaderOptions options);
  DataLoader(Dataset&&, LoaderOptions) = delete;

  // The next batch of the current epoch, or nullopt when the epoch is over; the call after that
  // starts the next epoch.
  std::optional<Batch> next();

  uint64_t epoch() const { return epoch_; }
  size_t num_batches() const { return plan_.size(); }  // in the current epoch, on this rank

  LoaderPosition position() const;
  void restore(const LoaderPosition& position);

 private:
  void plan_epoch();
  void take_shard();  // keeps this rank's batches of the planned epoch
  std::vector<std::vector<size_t>> cut_into_batches(const std::vector<size_t>& order) const;
  size_t cost(size_t index) const;  // max(source length, target length + 1)

  const Dataset& dataset_;
  LoaderOptions options_;
  Rng rng_;
  std::string epoch_start_state_;
  uint64_t epoch_ = 0;
  size_t batch_ = 0;
  std::vector<std::vector<size_t>> plan_;  // this rank's batches of the epoch
  size_t epoch_batches_ = 0;                // batches in the whole epoch, over every rank
};

}  // namespace ag::data
