// Sharding the optimizer state across ranks; see zero_redundancy_optimizer.h.
#include "ag/distributed/zero_redundancy_optimizer.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <sstream>

#include "ag/core/autograd/grad_mode.h"
#include "ag/core/factory.h"
#include "ag/distributed/collectives.h"
#include "ag/distributed/request.h"
#include "ag/distributed/same_across_ranks.h"

namespace ag::distributed {

namespace {

constexpr const char* kWho = "ZeroRedundancyOptimizer";

// Largest first, each to the rank holding the fewest elements so far (ties: the lowest rank).
std::vector<int> deal_out(const std::vector<Tensor>& params, int world) {
  std::vector<size_t> order(params.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return params[a].numel() > params[b].numel(); });
  std::vector<int64_t> load(static_cast<size_t>(world), 0);
  std::vector<int> owner(params.size());
  for (size_t i : order) {
    const auto least = static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    owner[i] = static_cast<int>(least);
    load[least] += params[i].numel();
  }
  return owner;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

// The hyper-parameters of `state`'s one parameter group, for a group of parameters 0..count-1.
optim::StateDict group_of(const optim::StateDict& state, size_t count) {
  optim::StateDict group;
  for (const auto& [key, value] : state)
    if (starts_with(key, "param_groups.0.") && key != "param_groups.0.params") group[key] = value;
  std::vector<int64_t> numbers(count);
  std::iota(numbers.begin(), numbers.end(), 0);
  group["param_groups.0.params"] = from_vector(numbers, {static_cast<int64_t>(count)});
  return group;
}

// "state.<index>." entries of a state dict, keyed by the name after the prefix.
std::map<std::string, Tensor> entries_of(const optim::StateDict& state, size_t index) {
  const std::string prefix = fmt::format("state.{}.", index);
  std::map<std::string, Tensor> out;
  for (auto it = state.lower_bound(prefix); it != state.end() && starts_with(it->first, prefix); ++it)
    out[it->first.substr(prefix.size())] = it->second;
  return out;
}

// Sends one parameter's state entries from `src` to every rank: first their names, dtypes and
// shapes as text, then each tensor's bytes.
std::map<std::string, Tensor> broadcast_entries(std::map<std::string, Tensor> entries, int src) {
  std::string text;
  for (const auto& [name, t] : entries) {
    text += fmt::format("{} {} {}", name, static_cast<int>(t.dtype()), t.dim());
    for (int64_t d : t.sizes()) text += fmt::format(" {}", d);
    text += "\n";
  }
  detail::broadcast_string(text, src);
  std::istringstream in(text);
  std::map<std::string, Tensor> out;
  for (std::string name; in >> name;) {
    int dtype = 0;
    int64_t dim = 0;
    in >> dtype >> dim;
    Shape shape(static_cast<size_t>(dim));
    for (int64_t& d : shape) in >> d;
    Tensor t = rank() == src ? entries.at(name).contiguous() : empty(shape, static_cast<Dtype>(dtype));
    detail::broadcast_bytes(detail::raw_data(t), static_cast<size_t>(t.numel()) * element_size(t.dtype()), src);
    out[name] = t;
  }
  return out;
}

}  // namespace

ZeroRedundancyOptimizer::ZeroRedundancyOptimizer(std::vector<Tensor> params, const Factory& make_optimizer)
    : params_(std::move(params)) {
  std::vector<std::pair<std::string, Tensor>> named;
  for (size_t i = 0; i < params_.size(); ++i) {
    AG_CHECK(params_[i].defined(), "{}: parameter {} is undefined", kWho, i);
    named.emplace_back(fmt::format("parameter {}", i), params_[i]);
  }
  check_same_across_ranks(kWho, named);
  const int world = world_size();
  AG_CHECK(static_cast<int>(params_.size()) >= world, "{}: {} ranks share {} parameters; every rank must own at "
           "least one, so run on at most {} ranks or use a plain optimizer", kWho, world, params_.size(), params_.size());

  owner_ = deal_out(params_, world);
  std::vector<Tensor> mine;
  for (size_t i = 0; i < params_.size(); ++i)
    if (owner_[i] == rank()) owned_.push_back(i), mine.push_back(params_[i]);
  local_ = make_optimizer(mine);
  AG_CHECK(local_ && local_->param_groups().size() == 1 && local_->parameters().size() == mine.size(),
           "{}: the factory must return an optimizer over exactly the parameters it was given, in one group", kWho);

  for (int r = 0; r < world; ++r) {
    for (Dtype dtype : {kFloat32, kFloat64}) {
      Shard shard{r, {}, Tensor()};
      int64_t elements = 0;
      for (size_t i = 0; i < params_.size(); ++i)
        if (owner_[i] == r && params_[i].dtype() == dtype) shard.params.push_back(i), elements += params_[i].numel();
      if (shard.params.empty()) continue;
      shard.flat = empty({elements}, dtype);
      shards_.push_back(std::move(shard));
    }
  }
}

void ZeroRedundancyOptimizer::zero_grad(bool set_to_none) {
  for (Tensor& p : params_) {
    Tensor& grad = p.mutable_grad();
    if (set_to_none) grad = Tensor();
    else if (grad.defined()) grad.zero_();
  }
}

void ZeroRedundancyOptimizer::step() {
  local_->step();
  if (world_size() == 1) return;
  NoGradGuard no_grad;
  for (Shard& shard : shards_) {
    const bool sending = shard.owner == rank();
    int64_t offset = 0;
    std::vector<Tensor> slices;
    for (size_t i : shard.params) {
      slices.push_back(shard.flat.narrow(0, offset, params_[i].numel()).view(params_[i].sizes()));
      if (sending) slices.back().copy_(params_[i]);
      offset += params_[i].numel();
    }
    broadcast(shard.flat, shard.owner);
    if (sending) continue;
    for (size_t k = 0; k < shard.params.size(); ++k) params_[shard.params[k]].copy_(slices[k]);
  }
}

optim::StateDict ZeroRedundancyOptimizer::state_dict() const {
  const optim::StateDict local = local_->state_dict();
  // Hyper-parameters are the same on every rank; the parameter list becomes the whole one.
  optim::StateDict full = group_of(local, params_.size());

  for (size_t i = 0; i < params_.size(); ++i) {
    std::map<std::string, Tensor> entries;
    if (owner_[i] == rank()) {
      const auto k = static_cast<size_t>(std::find(owned_.begin(), owned_.end(), i) - owned_.begin());
      entries = entries_of(local, k);
    }
    for (auto& [name, t] : broadcast_entries(std::move(entries), owner_[i])) full[fmt::format("state.{}.{}", i, name)] = t;
  }
  return full;
}

void ZeroRedundancyOptimizer::load_state_dict(const optim::StateDict& state) {
  auto numbers = state.find("param_groups.0.params");
  AG_CHECK(numbers != state.end() && numbers->second.dim() == 1 && numbers->second.size(0) == static_cast<int64_t>(params_.size()),
           "{}.load_state_dict: the state is not that of one parameter group of {} parameters; was it saved from "
           "a different model?", kWho, params_.size());
  AG_CHECK(!state.count("param_groups.1.params"), "{}.load_state_dict: the state has more than one parameter group", kWho);
  optim::StateDict local = group_of(state, owned_.size());
  for (size_t k = 0; k < owned_.size(); ++k)
    for (const auto& [name, t] : entries_of(state, owned_[k])) local[fmt::format("state.{}.{}", k, name)] = t;
  local_->load_state_dict(local);
}

}  // namespace ag::distributed
