// The distributed suite's entry point. Every rank runs every test case (so a test can compare what
// the ranks computed); each prints its own failures (mpirun --tag-output names the rank), and the
// exit code is non-zero on every rank when any rank failed, so neither mpirun nor ctest can miss it.
#include "ag/core/factory.h"
#include "ag/distributed/collectives.h"
#include "catch_session.h"

int main(int argc, char** argv) {
  ag::distributed::init();
  int failed = ag::test::run_catch_session(argc, argv);
  ag::Tensor any_failed = ag::tensor({static_cast<float>(failed)});
  ag::distributed::all_reduce(any_failed, ag::distributed::ReduceOp::Max);
  ag::distributed::finalize();
  return any_failed.item() > 0 ? 1 : 0;
}
