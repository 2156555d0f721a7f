// ZeroRedundancyOptimizer: each rank keeps the optimizer state of its own slice of the parameters
// only, so optimizer memory per rank falls as 1/N (ZeRO stage 1, Rajbhandari et al. 2020; PyTorch's
// torch.distributed.optim.ZeroRedundancyOptimizer).
//
//     DistributedDataParallel ddp(model);
//     ZeroRedundancyOptimizer optimizer(model->parameters(), [](std::vector<Tensor> mine) {
//       return std::make_unique<optim::Adam>(mine, optim::AdamOptions(1e-3));
//     });
//     model(batch).backward(); ddp.sync_gradients(); optimizer.step();
//
// Adam keeps two tensors the size of every parameter: for the bench's Transformer that is twice the
// model. Here the parameters are dealt out to the ranks whole, the largest first, each to the rank
// with the fewest elements so far; a rank's own optimizer (made by the factory) steps only those.
// step() then sends every parameter from its owner to all ranks (one broadcast per owner of its
// parameters packed flat), so the weights stay identical everywhere. Gradients arrive averaged
// through DistributedDataParallel, as in PyTorch; the traffic is an all-reduce of the gradients
// plus a broadcast of the parameters (docs/distributed.md).
//
// Checkpoints: state_dict() gathers every rank's slice into the layout a plain optimizer over the
// same parameters writes ("state.<index>.<name>", one parameter group), so a checkpoint loads into
// a ZeroRedundancyOptimizer at any world size, or into the plain optimizer, and back.
#pragma once
#include <functional>
#include <memory>
#include <vector>

#include "ag/core/tensor.h"
#include "ag/optim/optimizer.h"

namespace ag::distributed {

class ZeroRedundancyOptimizer {
 public:
  using Factory = std::function<std::unique_ptr<optim::Optimizer>(std::vector<Tensor> params)>;

  // Collective. Every rank passes the same parameters (checked); there must be at least as many
  // parameters as ranks, so that every rank owns one. The factory's optimizer must use one group.
  ZeroRedundancyOptimizer(std::vector<Tensor> params, const Factory& make_optimizer);

  // Collective: steps this rank's parameters, then brings every rank's parameters up to date.
  void step();
  void zero_grad(bool set_to_none = true);

  // This rank's optimizer over the parameters it owns: attach a learning-rate schedule to it (every
  // rank runs the same schedule, so the hyper-parameters stay equal everywhere).
  optim::Optimizer& optimizer() { return *local_; }
  // Which rank steps parameter `index` (in the order given to the constructor).
  int owner(size_t index) const { return owner_[index]; }

  // Collective: the whole state, on every rank, as a plain optimizer over all the parameters has it.
  optim::StateDict state_dict() const;
  // Takes this rank's part of a whole state (from state_dict() at any world size, or a plain optimizer).
  void load_state_dict(const optim::StateDict& state);

 private:
  // The parameters one rank owns of one dtype, packed flat for the broadcast after each step.
  struct Shard {
    int owner;
    std::vector<size_t> params;
    Tensor flat;
  };

  std::vector<Tensor> params_;
  std::vector<int> owner_;       // by parameter index
  std::vector<size_t> owned_;    // the indices this rank owns, in order: local parameter k is owned_[k]
  std::vector<Shard> shards_;
  std::unique_ptr<optim::Optimizer> local_;
};

}  // namespace ag::distributed
