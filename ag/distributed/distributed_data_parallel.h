// DistributedDataParallel: the same model on every rank, each rank a different part of the batch,
// gradients averaged across ranks so every rank takes the same optimizer step (PyTorch's
// torch.nn.parallel.DistributedDataParallel).
//
//     ag::distributed::init();
//     auto model = std::make_shared<Model>(...);              // any nn::Module
//     ag::distributed::DistributedDataParallel ddp(model);    // checks the ranks agree; copies rank 0's weights
//     ag::optim::Adam optimizer(model->parameters(), ...);
//     for (batch of this rank's shard) {                      // DataLoader with num_replicas/rank
//       optimizer.zero_grad();
//       model(batch).backward();     // buckets of gradients start averaging while backward runs
//       ddp.sync_gradients();        // waits for the rest: every .grad() is now the mean over ranks
//       optimizer.step();            // identical on every rank, so the weights stay identical
//     }
//
// The forward pass is the module's own (ag's modules have no common forward signature to wrap);
// what DistributedDataParallel adds is a hook on every parameter (see reducer.h). sync_gradients()
// must follow every backward outside no_sync(): it is what makes a parameter that received no
// gradient on some rank safe, and it is cheap when backward has already sent everything.
//
// Gradient accumulation over micro-batches sends nothing until the last one:
//     { auto guard = ddp.no_sync(); model(micro1).backward(); model(micro2).backward(); }
//     model(micro3).backward();
//     ddp.sync_gradients();         // averages the sum of all three
//
// Buffers (non-trained state) are copied from rank 0 at construction; ag's buffers do not change
// during training, so unlike PyTorch nothing is re-sent at every forward.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "ag/core/arg.h"
#include "ag/distributed/reducer.h"
#include "ag/nn/module.h"

namespace ag::distributed {

struct DistributedDataParallelOptions {
  DistributedDataParallelOptions() {}  // NOLINT: so that `= {}` works as a default argument
  AG_ARG(double, bucket_cap_mb) = 25;       // gradient bytes per all-reduce (PyTorch's default)
  AG_ARG(double, first_bucket_cap_mb) = 1;  // a small first bucket starts communication early
};

class DistributedDataParallel {
 public:
  // Collective: every rank constructs it at the same point. Throws (on every rank) if the ranks'
  // models differ in a parameter or buffer name, dtype or shape, naming the first difference.
  explicit DistributedDataParallel(std::shared_ptr<nn::Module> module, DistributedDataParallelOptions options = {});

  nn::Module& module() { return *module_; }

  // Collective: waits for every bucket (starting those backward did not complete) and writes the
  // averaged gradients into .grad(). Inside no_sync() it does nothing.
  void sync_gradients();

  // While the guard lives, backward only accumulates into .grad() locally.
  class NoSyncGuard {
   public:
    explicit NoSyncGuard(Reducer& reducer) : reducer_(reducer), previous_(reducer.sync_enabled()) {
      reducer_.set_sync_enabled(false);
    }
    ~NoSyncGuard() { reducer_.set_sync_enabled(previous_); }
    NoSyncGuard(const NoSyncGuard&) = delete;
    NoSyncGuard& operator=(const NoSyncGuard&) = delete;

   private:
    Reducer& reducer_;
    bool previous_;
  };
  [[nodiscard]] NoSyncGuard no_sync() { return NoSyncGuard(*reducer_); }

  // The parameter names of each gradient bucket, in sending order (for tests and curious users).
  std::vector<std::vector<std::string>> bucket_names() const { return reducer_->bucket_names(); }
  // Seconds the last sync_gradients() waited for communication that backward had not hidden.
  double last_wait_seconds() const { return reducer_->last_wait_seconds(); }

 private:
  std::shared_ptr<nn::Module> module_;
  std::shared_ptr<Reducer> reducer_;  // the hooks hold it weakly: once this object is gone they do nothing
};

}  // namespace ag::distributed
