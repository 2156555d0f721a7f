// Storage: a flat, reference-counted block of memory that one or more tensors view.
//
// Views (reshape, transpose, slice, ...) share one Storage and differ only in shape, strides and
// offset. The storage also carries the version counter: every in-place write bumps it, and autograd
// compares it with the version it saw when it saved a tensor for backward (see autograd/saved_tensor.h).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

#include "ag/core/allocator.h"

namespace ag {

class Storage {
 public:
  explicit Storage(size_t nbytes) : data_(allocate_storage(nbytes)), nbytes_(nbytes) {}
  ~Storage() { free_storage(data_, nbytes_); }
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  uint64_t version() const { return version_; }
  void bump_version() { ++version_; }

 private:
  void* data_;
  size_t nbytes_;
  uint64_t version_ = 0;
};

}  // namespace ag
