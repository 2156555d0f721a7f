// Reducer: averages a model's gradients across ranks while backward is still running (the engine
// behind DistributedDataParallel, named after PyTorch's).
//
// Parameters are grouped into buckets of about `bucket_cap_bytes` (the first one smaller, so that
// communication starts early), in reverse registration order: backward produces the gradients of
// the last layers first, so a bucket of late parameters fills up first. Each parameter's
// post-accumulate hook copies its gradient into its bucket's flat buffer; when a bucket is full its
// non-blocking all-reduce starts, and backward computes the gradients of earlier layers while the
// bytes travel. sync() then waits for every bucket and writes the averages back into .grad().
//
// Buckets start strictly in order (bucket 2 waits for bucket 1 even if it fills first): MPI needs
// every rank to issue its collectives in the same order, and ranks may fill buckets in different
// orders when they take different paths through the model.
//
// A parameter that receives no gradient in a step (an unused branch, or a rank whose batch skips
// it) keeps its bucket from starting during backward; sync() starts it with zeros in that place.
// Each bucket also carries one flag per parameter, "this rank had a gradient", summed with the
// gradients: a parameter no rank had a gradient for keeps an undefined .grad() (so the optimizer
// skips it, as it would in one process); one that some ranks had gets the average over all ranks.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "ag/core/tensor.h"
#include "ag/distributed/process_group.h"

namespace ag::distributed {

class Reducer {
 public:
  // `params` in registration order; every one requires grad. Sizes in bytes.
  Reducer(std::vector<std::pair<std::string, Tensor>> params, size_t first_bucket_cap_bytes, size_t bucket_cap_bytes);

  // Called by parameter `index`'s post-accumulate hook. Does nothing while sync is off (no_sync).
  void gradient_ready(size_t index);
  // Starts what backward has not started, waits for everything, writes the averaged gradients.
  void sync();

  bool sync_enabled() const { return sync_enabled_; }
  void set_sync_enabled(bool on) { sync_enabled_ = on; }
  // The parameter names of each bucket, in the order the buckets are sent.
  std::vector<std::vector<std::string>> bucket_names() const;
  // Seconds the last sync() spent waiting for communication to finish.
  double last_wait_seconds() const { return last_wait_seconds_; }

 private:
  struct Param {
    std::string name;
    Tensor tensor;
    size_t bucket = 0;
    int64_t offset = 0;  // of its gradient in the bucket's flat buffer
    bool ready = false;  // its gradient is in the bucket this step
  };
  struct Bucket {
    std::vector<size_t> params;
    Tensor flat;          // (gradient elements + one flag per parameter,), the parameters' dtype
    size_t pending = 0;   // parameters not yet ready this step
    Work work;
  };

  // Copies parameter `index`'s gradient (zeros if it has none) and its flag into its bucket.
  void fill(size_t index);
  // Starts, in order, every bucket whose parameters are all ready.
  void start_ready_buckets();
  void start(Bucket& bucket);
  void write_back(Bucket& bucket);

  std::vector<Param> params_;
  std::vector<Bucket> buckets_;
  size_t next_bucket_ = 0;  // the first bucket not yet started this step
  bool sync_enabled_ = true;
  double last_wait_seconds_ = 0;
};

}  // namespace ag::distributed
