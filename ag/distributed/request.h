// Inside ag_distributed only: what a Work holds, and the MPI names the collectives share. Users of
// ag include process_group.h, which never includes mpi.h.
#pragma once
#include <functional>

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

#ifdef AG_MPI
namespace detail {
MPI_Comm communicator();  // ag's own duplicate of MPI_COMM_WORLD (valid between init and finalize)
}
#endif

}  // namespace ag::distributed
