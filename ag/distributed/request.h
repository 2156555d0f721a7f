// Inside ag_distributed only: what a Work holds, and the MPI names the collectives share. Users of
// ag include process_group.h, which never includes mpi.h.
#pragma once
#include <functional>

#include "ag/core/tensor.h"
#include "ag/distributed/process_group.h"

#ifdef AG_MPI
#include <mpi.h>
#endif

namespace ag::distributed {

struct Work::State {
#ifdef AG_MPI
  MPI_Request request = MPI_REQUEST_NULL;
#endif
  std::function<void()> finish;  // runs once, after the request completes (e.g. divide for average)
};

namespace detail {
#ifdef AG_MPI
MPI_Comm communicator();  // ag's own duplicate of MPI_COMM_WORLD (valid between init and finalize)
#endif

// The first byte of a tensor's elements, whatever its dtype (for sending a contiguous tensor whole).
inline void* raw_data(const Tensor& t) {
  return static_cast<char*>(t.impl()->storage->data()) + t.storage_offset() * static_cast<int64_t>(element_size(t.dtype()));
}
}  // namespace detail

}  // namespace ag::distributed
