// The run-directory rules: a fresh run refuses a directory holding files unless forced, --force
// deletes only the program's files, --resume needs a checkpoint, and the temporaries of a killed
// save are cleaned up, so a run killed during its very first save can be started again.
#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include "ag/core/error.h"
#include "ag/train/run_dir.h"
#include "tests/data/temp_dir.h"

using ag::data::testing::TempDir;
using ag::train::RunDir;
namespace fs = std::filesystem;

namespace {

const ag::train::RunFiles kFiles{.program = "toy train", .checkpoint = "checkpoint.safetensors",
                                 .outputs = {"metrics.jsonl", "loss.svg"}};

// The pid of a process that has ended: the kind a killed save leaves in its temporary's name.
pid_t finished_process() {
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

std::string temporary(const TempDir& dir, const std::string& name, pid_t pid) {
  return dir.write(name + ".tmp." + std::to_string(pid), "half a file");
}

}  // namespace

TEST_CASE("run dir: a fresh run creates the directory, or takes an empty one") {
  TempDir dir;
  std::ostringstream log;
  const RunDir run = RunDir::fresh(dir.path("a/b"), kFiles, false, log);
  CHECK(fs::is_directory(dir.path("a/b")));
  CHECK(run.file("loss.svg") == dir.path("a/b/loss.svg"));
  RunDir::fresh(dir.path("a/b"), kFiles, false, log);  // still empty
  CHECK(log.str().empty());
}

TEST_CASE("run dir: a fresh run refuses a directory with files; --force deletes only the program's") {
  TempDir dir;
  std::ostringstream log;
  dir.write("checkpoint.safetensors", "an earlier run");
  dir.write("metrics.jsonl", "{}");
  dir.write("notes.txt", "the user's");
  REQUIRE_THROWS_WITH(RunDir::fresh(dir.path(""), kFiles, false, log),
                      Catch::Contains("is not empty") && Catch::Contains("and 2 more") &&
                          Catch::Contains("--resume") && Catch::Contains("--force"));
  CHECK(fs::exists(dir.path("checkpoint.safetensors")));  // refusing touches nothing
  RunDir::fresh(dir.path(""), kFiles, true, log);
  CHECK_FALSE(fs::exists(dir.path("checkpoint.safetensors")));
  CHECK_FALSE(fs::exists(dir.path("metrics.jsonl")));
  CHECK(fs::exists(dir.path("notes.txt")));
}

TEST_CASE("run dir: --resume needs the checkpoint") {
  TempDir dir;
  std::ostringstream log;
  REQUIRE_THROWS_WITH(RunDir::resume(dir.path("missing"), kFiles, log), Catch::Contains("no such directory"));
  REQUIRE_THROWS_WITH(RunDir::resume(dir.path(""), kFiles, log),
                      Catch::Contains("there is no checkpoint.safetensors") &&
                          Catch::Contains("the --out directory of `toy train`"));
  dir.write("checkpoint.safetensors", "saved");
  CHECK(RunDir::resume(dir.path(""), kFiles, log).path() == dir.path(""));
}

TEST_CASE("run dir: a killed save's temporaries are removed when the directory is opened, and said so") {
  TempDir dir;
  std::ostringstream log;
  dir.write("checkpoint.safetensors", "saved");
  const pid_t dead = finished_process();
  const std::string stale = temporary(dir, "checkpoint.safetensors", dead);
  const std::string stale_log = temporary(dir, "metrics.jsonl", dead);
  const std::string live = temporary(dir, "loss.svg", getpid());  // a save under way: not touched
  const std::string users = temporary(dir, "notes.txt", dead);    // not a file the program writes
  RunDir::resume(dir.path(""), kFiles, log);
  CHECK_FALSE(fs::exists(stale));
  CHECK_FALSE(fs::exists(stale_log));
  CHECK(fs::exists(live));
  CHECK(fs::exists(users));
  CHECK(log.str().find("removed " + stale + ": an unfinished save of checkpoint.safetensors by process " +
                       std::to_string(dead) + ", which is no longer running") != std::string::npos);
}

TEST_CASE("run dir: a run killed during its first save counts as empty and starts again") {
  TempDir dir;
  std::ostringstream log;
  const std::string stale = temporary(dir, "checkpoint.safetensors", finished_process());
  // --resume finds no checkpoint and says why; the stale temporary is gone afterwards.
  REQUIRE_THROWS_WITH(RunDir::resume(dir.path(""), kFiles, log),
                      Catch::Contains("stopped before its first checkpoint was saved"));
  CHECK_FALSE(fs::exists(stale));
  // A fresh run (without --force) is accepted.
  temporary(dir, "checkpoint.safetensors", finished_process());
  RunDir::fresh(dir.path(""), kFiles, false, log);
  CHECK(fs::is_empty(dir.path("")));
  // But a temporary of a process still running is someone's save under way: not empty.
  temporary(dir, "checkpoint.safetensors", getpid());
  REQUIRE_THROWS_WITH(RunDir::fresh(dir.path(""), kFiles, false, log), Catch::Contains("is not empty"));
}
