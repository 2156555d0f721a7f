// The process group over MPI, or a world of one without it (see process_group.h).
#include "ag/distributed/process_group.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <thread>

#include "ag/core/error.h"
#include "ag/distributed/request.h"

namespace ag::distributed {

namespace {

bool initialized = false;
int my_rank = 0;
int my_world_size = 1;

#ifdef AG_MPI
bool own_mpi = false;  // we called MPI_Init, so we call MPI_Finalize
MPI_Comm comm = MPI_COMM_NULL;

// mpirun (Open MPI), PMIx-based launchers and MPICH's Hydra each set one of these in every rank's
// environment. Without any, the program was started by hand: a world of one, and MPI_Init is not
// even called (a singleton Open MPI would start a helper daemon for nothing).
bool launched_by_mpirun() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (std::getenv(name)) return true;
  return false;
}

// A rank that throws past main() would otherwise leave the others blocked in their next collective:
// print what happened, with the rank, and take the whole job down.
void abort_job_on_terminate() {
  std::string what = "terminate called without an active exception";
  if (std::exception_ptr e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      what = std::string("uncaught exception: ") + ex.what();
    } catch (...) {
      what = "uncaught exception of an unknown type";
    }
  }
  abort(what);
}
#endif

void finalize_at_exit() { finalize(); }

}  // namespace

#ifdef AG_MPI
MPI_Comm detail::communicator() { return comm; }
#endif

bool is_mpi_available() {
#ifdef AG_MPI
  return true;
#else
  return false;
#endif
}

int launched_world_size() {
  // Open MPI's and Hydra's names for the job's size; PMIx alone does not say it in the environment.
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    const char* value = std::getenv(name);
    if (!value) continue;
    char* end = nullptr;
    const long size = std::strtol(value, &end, 10);
    if (end != value && *end == '\0' && size > 0 && size <= INT_MAX) return static_cast<int>(size);
  }
  return 1;
}

double mpirun_stop_window_s() {
  if (!std::getenv("OMPI_COMM_WORLD_SIZE")) return 0;
  double timeout = 1;  // Open MPI's default
  if (const char* value = std::getenv("OMPI_MCA_odls_base_sigkill_timeout")) {
    char* end = nullptr;
    const double given = std::strtod(value, &end);
    if (end != value && *end == '\0' && given >= 0) timeout = given;
  }
  return 2 * timeout;
}

void init() {
  if (initialized) return;
#ifdef AG_MPI
  int already = 0;
  MPI_Initialized(&already);
  if (already || launched_by_mpirun()) {
    if (!already) {
      int provided = 0;
      // FUNNELED: only the thread that called init talks MPI; OpenMP threads inside ops never do.
      MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
      own_mpi = true;
    }
    // A communicator of our own, so ag's collectives never match messages the program sends itself.
    MPI_Comm_dup(MPI_COMM_WORLD, &comm);
    MPI_Comm_set_errhandler(comm, MPI_ERRORS_ARE_FATAL);
    MPI_Comm_rank(comm, &my_rank);
    MPI_Comm_size(comm, &my_world_size);
    if (my_world_size > 1) std::set_terminate(abort_job_on_terminate);
  }
#endif
  initialized = true;
  static bool registered = false;
  if (!registered) std::atexit(finalize_at_exit), registered = true;
}

bool is_initialized() { return initialized; }

void finalize() {
  if (!initialized) return;
#ifdef AG_MPI
  if (comm != MPI_COMM_NULL) MPI_Comm_free(&comm);
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (own_mpi && !finalized) MPI_Finalize();
  own_mpi = false;
#endif
  initialized = false;
  my_rank = 0;
  my_world_size = 1;
}

void abort(const std::string& message, int exit_code) {
  // One write, so that mpirun --tag-output (which tags each piece it reads) keeps the line whole.
  std::cerr << "ag::distributed: rank " + std::to_string(my_rank) + " of " + std::to_string(my_world_size) +
                   " stops the job: " + message + "\n"
            << std::flush;
#ifdef AG_MPI
  int mpi_initialized = 0, finalized = 0;
  MPI_Initialized(&mpi_initialized);
  MPI_Finalized(&finalized);
  if (mpi_initialized && !finalized) MPI_Abort(MPI_COMM_WORLD, exit_code);
#endif
  std::_Exit(exit_code);
}

void detail::check_initialized(const char* op) {
  AG_CHECK(initialized, "{}: the process group is not initialized; call ag::distributed::init() first", op);
}

int rank() {
  detail::check_initialized("rank");
  return my_rank;
}

int world_size() {
  detail::check_initialized("world_size");
  return my_world_size;
}

void barrier() {
  detail::check_initialized("barrier");
#ifdef AG_MPI
  if (my_world_size == 1) return;
  // MPI_Barrier polls at full speed, and ranks often wait long at a barrier (for rank 0 to validate
  // or save): waiting by sleeping leaves the core to a rank or thread that has work. The sleep grows
  // to 1 ms, which a barrier's caller never notices.
  MPI_Request request;
  MPI_Ibarrier(comm, &request);
  int done = 0;
  for (auto nap = std::chrono::microseconds(10);; nap = std::min(2 * nap, std::chrono::microseconds(1000))) {
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (done) return;
    std::this_thread::sleep_for(nap);
  }
#endif
}

// ---- Work -----------------------------------------------------------------------------------------

Work::Work() = default;
Work::Work(std::unique_ptr<State> state) : state_(std::move(state)) {}
Work::Work(Work&& other) noexcept = default;
Work& Work::operator=(Work&& other) noexcept {
  if (this != &other) {
    wait();
    state_ = std::move(other.state_);
  }
  return *this;
}
Work::~Work() { wait(); }

void Work::wait() {
  if (!state_) return;
#ifdef AG_MPI
  if (state_->request != MPI_REQUEST_NULL) MPI_Wait(&state_->request, MPI_STATUS_IGNORE);  // null: a world of one
#endif
  std::unique_ptr<State> done = std::move(state_);
  if (done->finish) done->finish();
}

bool Work::is_completed() {
  if (!state_) return true;
#ifdef AG_MPI
  int done = 1;
  if (state_->request != MPI_REQUEST_NULL) MPI_Test(&state_->request, &done, MPI_STATUS_IGNORE);
  return done != 0;
#else
  return true;
#endif
}

// ---- small exchanges ------------------------------------------------------------------------------

std::vector<int64_t> detail::all_gather_int64(const std::vector<int64_t>& mine) {
  std::vector<int64_t> all(mine.size() * static_cast<size_t>(my_world_size));
#ifdef AG_MPI
  if (my_world_size > 1) {
    MPI_Allgather(mine.data(), static_cast<int>(mine.size()), MPI_INT64_T, all.data(), static_cast<int>(mine.size()),
                  MPI_INT64_T, comm);
    return all;
  }
#endif
  return mine;
}

void detail::broadcast_bytes(void* data, size_t bytes, int src) {
#ifdef AG_MPI
  if (my_world_size > 1) {
    // MPI counts are ints: send large buffers in pieces of at most 1 GiB.
    constexpr size_t kPiece = size_t{1} << 30;
    for (size_t done = 0; done < bytes; done += kPiece)
      MPI_Bcast(static_cast<char*>(data) + done, static_cast<int>(std::min(kPiece, bytes - done)), MPI_BYTE, src, comm);
  }
#endif
}

void detail::broadcast_string(std::string& text, int src) {
  int64_t size = static_cast<int64_t>(text.size());
  broadcast_bytes(&size, sizeof size, src);
  text.resize(static_cast<size_t>(size));
  broadcast_bytes(text.data(), text.size(), src);
}

}  // namespace ag::distributed
