// Buckets, hooks and the in-order start of their all-reduces; see reducer.h.
#include "ag/distributed/reducer.h"

#include <chrono>

#include "ag/core/autograd/grad_mode.h"
#include "ag/core/factory.h"
#include "ag/core/ops.h"
#include "ag/distributed/collectives.h"

namespace ag::distributed {

Reducer::Reducer(std::vector<std::pair<std::string, Tensor>> params, size_t first_bucket_cap_bytes,
                 size_t bucket_cap_bytes) {
  for (auto& [name, tensor] : params) params_.push_back({std::move(name), std::move(tensor)});
  // Reverse registration order: roughly the order backward produces the gradients. A bucket holds
  // one dtype; a parameter larger than the cap gets a bucket of its own.
  size_t bucket_bytes = 0;
  Dtype bucket_dtype = kFloat32;
  for (size_t i = params_.size(); i-- > 0;) {
    const Tensor& t = params_[i].tensor;
    const size_t bytes = static_cast<size_t>(t.numel()) * element_size(t.dtype());
    const size_t cap = buckets_.size() == 1 ? first_bucket_cap_bytes : bucket_cap_bytes;
    if (buckets_.empty() || t.dtype() != bucket_dtype || bucket_bytes + bytes > cap) {
      buckets_.emplace_back();
      bucket_bytes = 0;
      bucket_dtype = t.dtype();
    }
    params_[i].bucket = buckets_.size() - 1;
    buckets_.back().params.push_back(i);
    bucket_bytes += bytes;
  }
  for (Bucket& bucket : buckets_) {
    int64_t offset = 0;
    for (size_t i : bucket.params) params_[i].offset = offset, offset += params_[i].tensor.numel();
    bucket.flat = zeros({offset + static_cast<int64_t>(bucket.params.size())}, params_[bucket.params[0]].tensor.dtype());
    bucket.pending = bucket.params.size();
  }
}

std::vector<std::vector<std::string>> Reducer::bucket_names() const {
  std::vector<std::vector<std::string>> names;
  for (const Bucket& bucket : buckets_) {
    names.emplace_back();
    for (size_t i : bucket.params) names.back().push_back(params_[i].name);
  }
  return names;
}

void Reducer::fill(size_t index) {
  NoGradGuard no_grad;
  Param& p = params_[index];
  Bucket& bucket = buckets_[p.bucket];
  const int64_t grads = bucket.flat.numel() - static_cast<int64_t>(bucket.params.size());
  const auto k = static_cast<int64_t>(std::find(bucket.params.begin(), bucket.params.end(), index) - bucket.params.begin());
  Tensor slice = bucket.flat.narrow(0, p.offset, p.tensor.numel()).view(p.tensor.sizes());
  const Tensor& grad = p.tensor.grad();
  if (grad.defined()) slice.copy_(grad);
  else slice.zero_();
  bucket.flat.narrow(0, grads + k, 1).fill_(grad.defined() ? 1.0 : 0.0);
  p.ready = true;
  --bucket.pending;
}

void Reducer::gradient_ready(size_t index) {
  if (!sync_enabled_) return;
  AG_CHECK(!params_[index].ready, "DistributedDataParallel: parameter {} received a second gradient before its first "
           "was averaged; call sync_gradients() after every backward (or accumulate inside no_sync())",
           params_[index].name);
  fill(index);
  if (buckets_[params_[index].bucket].pending == 0) start_ready_buckets();
  // Open MPI moves a non-blocking collective along only inside MPI calls: give the ones in flight a nudge.
  for (size_t b = 0; b < next_bucket_; ++b) buckets_[b].work.is_completed();
}

void Reducer::start_ready_buckets() {
  while (next_bucket_ < buckets_.size() && buckets_[next_bucket_].pending == 0) start(buckets_[next_bucket_++]);
}

void Reducer::start(Bucket& bucket) {
  // Sum, not Average: the flags must stay counts; write_back divides the gradients.
  bucket.work = detail::start_all_reduce(bucket.flat, ReduceOp::Sum);
}

void Reducer::write_back(Bucket& bucket) {
  NoGradGuard no_grad;
  const int64_t grads = bucket.flat.numel() - static_cast<int64_t>(bucket.params.size());
  const std::vector<double> had_grad = bucket.flat.narrow(0, grads, static_cast<int64_t>(bucket.params.size())).to_vector<double>();
  const double scale = 1.0 / world_size();
  for (size_t k = 0; k < bucket.params.size(); ++k) {
    Param& p = params_[bucket.params[k]];
    p.ready = false;
    if (had_grad[k] == 0) continue;  // no rank had a gradient: leave it undefined, as one process would
    Tensor average = bucket.flat.narrow(0, p.offset, p.tensor.numel()).view(p.tensor.sizes()) * scale;
    Tensor& grad = p.tensor.mutable_grad();
    if (grad.defined()) grad.copy_(average);
    else grad = average;
  }
  bucket.pending = bucket.params.size();
}

void Reducer::sync() {
  if (!sync_enabled_) return;
  // Whatever backward did not reach: this rank's gradient (possibly from earlier micro-batches) or zeros.
  for (size_t b = next_bucket_; b < buckets_.size(); ++b) {
    for (size_t i : buckets_[b].params)
      if (!params_[i].ready) fill(i);
  }
  start_ready_buckets();
  const auto start = std::chrono::steady_clock::now();
  for (Bucket& bucket : buckets_) bucket.work.wait();
  last_wait_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (Bucket& bucket : buckets_) write_back(bucket);
  next_bucket_ = 0;
}

}  // namespace ag::distributed
