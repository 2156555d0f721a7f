// The process group: which process am I, how many are we, and the handle of a collective in flight
// (torch.distributed's init_process_group, get_rank, get_world_size, barrier and Work).
//
// Every process of a job runs the same program; each is a *rank* 0..world_size()-1. Start them with
//     mpirun -np 4 ./train ...                         (one machine)
//     mpirun -np 8 --hostfile hosts ./train ...        (several machines)
// and call ag::distributed::init() first thing in main(). Run without mpirun, or from a build
// without MPI (cmake -DAG_MPI=OFF), the same program is a world of one: rank 0 of 1, every
// collective returns its input, so nothing needs an `if (distributed)`.
//
// A rank that dies must not leave the others waiting forever in a collective: init() installs a
// terminate handler that prints the uncaught exception with the rank and aborts the whole job
// (MPI_Abort), and MPI's own errors are fatal (MPI_ERRORS_ARE_FATAL, Open MPI's default).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ag::distributed {

// Joins the job mpirun started (reading the environment it sets), or makes a world of one when
// there is none. Safe to call twice. MPI is finalized at exit, or earlier by finalize().
void init();
bool is_initialized();
// Every rank must call it (or none): later collectives are errors.
void finalize();
// True when this build talks MPI (AG_MPI); false means every program is a world of one.
bool is_mpi_available();
// How many processes the launcher started, from the environment mpirun (Open MPI, or MPICH's Hydra)
// sets; 1 when the program was started by hand. Unlike world_size() it needs no MPI: a build
// without it, started by `mpirun -np 4`, is four unrelated worlds of one, and a program can check
// this to say so instead of doing the same work four times.
int launched_world_size();
// Under Open MPI's mpirun: the seconds a rank has to finish its step and save after Ctrl-C before
// mpirun kills it. mpirun sends SIGCONT, SIGTERM and SIGKILL, `odls_base_sigkill_timeout` seconds
// apart (default 1; `mpirun --mca odls_base_sigkill_timeout 30` passes it on in the environment),
// and ag::train::InterruptGuard(true) stops on the first, so twice that. 0 when not under Open MPI.
double mpirun_stop_window_s();

int rank();        // 0..world_size()-1; an ag::Error before init()
int world_size();  // an ag::Error before init()
// Waits until every rank has reached it, sleeping rather than spinning (its core stays free for
// work meanwhile).
void barrier();
// Prints `message` with this rank and ends every rank of the job with `exit_code` (MPI_Abort). For
// a rank that must stop while others may be waiting on it: a plain `return 1` from main would leave
// them blocked in their next collective.
[[noreturn]] void abort(const std::string& message, int exit_code = 1);

// A collective started with async_op = true. wait() blocks until it has finished on this rank and
// the result is in the output tensor (torch.distributed's Work). A Work that is destroyed waits
// first, so a tensor is never freed under an operation still writing it.
class Work {
 public:
  Work();  // already complete
  ~Work();
  Work(Work&& other) noexcept;
  Work& operator=(Work&& other) noexcept;
  Work(const Work&) = delete;
  Work& operator=(const Work&) = delete;

  void wait();
  // Checks without blocking (and lets MPI move the operation along: Open MPI progresses
  // non-blocking collectives only inside MPI calls). True once wait() would return at once.
  bool is_completed();

  // The MPI request and what to do once it completes; defined in request.h, which only the
  // library's own files include (users of ag never see mpi.h).
  struct State;
  explicit Work(std::unique_ptr<State> state);

 private:
  std::unique_ptr<State> state_;
};

namespace detail {
// Throws the error every collective gives before init().
void check_initialized(const char* op);
// Small fixed-size exchanges the checks and DistributedDataParallel use; they need no tensor.
std::vector<int64_t> all_gather_int64(const std::vector<int64_t>& mine);  // concatenated by rank
void broadcast_string(std::string& text, int src);
void broadcast_bytes(void* data, size_t bytes, int src);
}  // namespace detail

}  // namespace ag::distributed
