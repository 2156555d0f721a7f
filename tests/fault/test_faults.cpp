// Faults a training run meets in real use, on a real program: `gpt train` (examples/gpt, built on
// the training kit) with a tiny model that saves a checkpoint after every step, run as a child
// process and then
//   - killed with SIGKILL at random moments, many times over: every checkpoint left behind loads,
//     --resume continues from it, and the next run removes the temporaries of killed saves;
//   - stopped with SIGINT (Ctrl-C): it saves and exits with 130, and resumes;
//   - given a full disk (a file size limit, as `ulimit -f`, below the checkpoint's size): the save
//     fails, the program says why and exits 1, and the previous checkpoint is intact.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "ag/train/checkpoint.h"
#include "tests/data/temp_dir.h"

#ifndef AG_GPT_PROGRAM
#error "AG_GPT_PROGRAM must name the gpt program (set by tests/fault/CMakeLists.txt)"
#endif

using ag::data::testing::TempDir;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// Starts `gpt args...` with stdout and stderr appended to `log`. A `file_size_limit` (bytes) is set
// as `ulimit -f` does, with SIGXFSZ ignored (as `trap '' XFSZ`), so that a write past the limit
// fails with EFBIG, as on a full disk, instead of killing the program.
pid_t start(const std::vector<std::string>& args, const std::string& log, rlim_t file_size_limit = RLIM_INFINITY) {
  std::vector<std::string> words = {AG_GPT_PROGRAM};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {  // the child: only async-signal-safe calls until exec
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0 || ::dup2(fd, STDOUT_FILENO) < 0 || ::dup2(fd, STDERR_FILENO) < 0) ::_exit(126);
    if (file_size_limit != RLIM_INFINITY) {
      ::signal(SIGXFSZ, SIG_IGN);
      const rlimit limit{file_size_limit, file_size_limit};
      if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(126);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

// The exit code as a shell reports it: the program's own, or 128 + the signal that ended it.
int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) REQUIRE(errno == EINTR);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int run(const std::vector<std::string>& args, const std::string& log, rlim_t file_size_limit = RLIM_INFINITY) {
  return wait_for(start(args, log, file_size_limit));
}

std::string read_file(const std::string& path) {
  std::ostringstream text;
  text << std::ifstream(path, std::ios::binary).rdbuf();
  return text.str();
}

// A run directory of `gpt train` on a short text, with a model small enough that a step takes about
// a millisecond; it saves after every step, so most of its time is spent saving.
struct Run {
  TempDir dir;
  std::string corpus = dir.write("verse.txt", [] {
    std::string text;
    for (int i = 0; i < 50; ++i) text += "To be, or not to be, that is the question:\n";
    return text;
  }());
  std::string path = dir.path("run");
  std::string log = dir.path("log.txt");
  std::string checkpoint = dir.path("run/checkpoint.safetensors");

  // A fresh run that goes on until stopped (100,000 steps).
  std::vector<std::string> fresh() const {
    return {"train", "--data", corpus, "--out", path, "--layers", "1", "--heads", "2", "--width", "16",
            "--context", "16", "--batch-size", "4", "--warmup", "0", "--max-steps", "100000", "--eval-every",
            "100000", "--eval-batches", "1", "--save-every", "1", "--sample-tokens", "0", "--threads", "1"};
  }
  // --resume, training `seconds` longer than the checkpoint has (0: until stopped).
  std::vector<std::string> resume(double seconds = 0) const {
    const double max_time = seconds > 0 ? saved().state().elapsed_s + seconds : 0;
    return {"train", "--resume", path, "--threads", "1", "--max-time", fmt::format("{}", max_time)};
  }

  // The checkpoint, read and checked as --resume reads it (format, CRC32, every byte range).
  ag::train::Checkpoint saved() const { return ag::train::Checkpoint::load(checkpoint, {"ag-gpt-checkpoint-1", "gpt"}); }

  // The files "<name>.tmp.<pid>" that killed saves left in the run directory.
  std::vector<std::string> temporaries() const {
    std::vector<std::string> found;
    if (!fs::exists(path)) return found;  // killed before it made the directory
    for (const auto& entry : fs::directory_iterator(path))
      if (entry.path().filename().string().find(".tmp.") != std::string::npos)
        found.push_back(entry.path().filename().string());
    return found;
  }

  // The checkpoint's inode: a new one after every save, which renames a new file over it.
  ino_t checkpoint_inode() const {
    struct stat st {};
    return ::stat(checkpoint.c_str(), &st) == 0 ? st.st_ino : 0;
  }
};

// Waits (up to a minute) until `done` holds; false if it never did.
template <typename Condition>
bool wait_until(Condition done) {
  for (auto deadline = std::chrono::steady_clock::now() + 60s; std::chrono::steady_clock::now() < deadline;) {
    if (done()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return false;
}

}  // namespace

TEST_CASE("fault: kill -9 at random moments of a run that saves every step never loses the checkpoint") {
  Run r;
  std::mt19937 rng(19);
  int kills = 0, kills_mid_save = 0;
  int64_t last_step = 0;
  // At least 10 kills, and until a few of them came while a file was being written (most of the
  // run's time is spent saving, so that takes a few tries at most).
  while (kills < 10 || (kills_mid_save < 3 && kills < 40)) {
    const bool resuming = fs::exists(r.checkpoint);
    const ino_t before = r.checkpoint_inode();
    const pid_t pid = start(resuming ? r.resume() : r.fresh(), r.log);
    if (kills % 2 == 0) {
      // Any moment from the start: reading the text, building the model, loading the checkpoint...
      std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 300'000)(rng)));
    } else {
      // ...or once this process has saved, among steps and saves.
      REQUIRE(wait_until([&] { return r.checkpoint_inode() != before && r.checkpoint_inode() != 0; }));
      std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 50'000)(rng)));
    }
    REQUIRE(::kill(pid, SIGKILL) == 0);
    REQUIRE(wait_for(pid) == 128 + SIGKILL);
    ++kills;
    if (!r.temporaries().empty()) ++kills_mid_save;
    if (!fs::exists(r.checkpoint)) continue;  // killed before its first save: a fresh run starts again
    INFO("after kill " << kills << "; the program's output:\n" << read_file(r.log));
    const ag::train::Checkpoint saved = r.saved();  // loads: never half-written
    CHECK(saved.state().step >= last_step);         // and the resumed runs made progress from it
    last_step = saved.state().step;
  }
  CHECK(kills_mid_save >= 1);
  CHECK(last_step > 1);

  // The last checkpoint resumes; the run trains on and finishes normally, removing what killed saves
  // left behind.
  const bool had_temporaries = !r.temporaries().empty();
  REQUIRE(run(r.resume(0.3), r.log) == 0);
  INFO(read_file(r.log));
  CHECK(r.saved().state().step > last_step);
  CHECK(r.temporaries().empty());
  if (had_temporaries) CHECK(read_file(r.log).find("an unfinished save of") != std::string::npos);
}

TEST_CASE("fault: SIGINT saves a checkpoint and exits with 130, and the run resumes from it") {
  Run r;
  const pid_t pid = start(r.fresh(), r.log);
  REQUIRE(wait_until([&] { return fs::exists(r.checkpoint); }));  // training (and Ctrl-C's handler) under way
  REQUIRE(::kill(pid, SIGINT) == 0);
  REQUIRE(wait_for(pid) == 130);
  const std::string log = read_file(r.log);
  INFO(log);
  CHECK(log.find("stopped at step") != std::string::npos);
  const int64_t step = r.saved().state().step;
  CHECK(step >= 1);
  CHECK(r.temporaries().empty());

  REQUIRE(run(r.resume(0.2), r.log) == 0);
  CHECK(r.saved().state().step > step);
}

TEST_CASE("fault: a full disk during a save keeps the previous checkpoint, and the program says why") {
  Run r;
  std::vector<std::string> first = r.fresh();
  first.insert(first.end(), {"--max-time", "0.2"});
  REQUIRE(run(first, r.log) == 0);
  const std::string before = read_file(r.checkpoint);
  const int64_t step = r.saved().state().step;

  // Room for half a checkpoint: its next save, after the next step, runs out of space.
  fs::remove(r.log);
  const int code = run(r.resume(60), r.log, before.size() / 2);
  const std::string log = read_file(r.log);
  INFO(log);
  CHECK(code == 1);
  CHECK(log.find("gpt: error: cannot save " + r.checkpoint) != std::string::npos);
  CHECK(log.find("File too large") != std::string::npos);
  CHECK(log.find("its previous version is intact") != std::string::npos);
  CHECK(read_file(r.checkpoint) == before);  // byte for byte
  CHECK(r.temporaries().empty());

  // With room again, the run continues from the checkpoint it kept.
  REQUIRE(run(r.resume(0.2), r.log) == 0);
  CHECK(r.saved().state().step > step);
}
