// A rank that throws past main() while the others wait in a collective: the job must end with a
// message naming the rank and the exception, not hang. Run by ctest under mpirun (see ../CMakeLists.txt).
#include "ag/core/error.h"
#include "ag/distributed/process_group.h"

int main() {
  ag::distributed::init();
  if (ag::distributed::rank() == 1) throw ag::Error("rank_dies: this rank fails on purpose");
  ag::distributed::barrier();  // rank 1 never arrives
  return 0;
}
