// Where the fuzz targets write the files their readers read: a directory of this process's own,
// in memory (/dev/shm) when the machine has one, removed when the fuzzer exits.
//
// A target runs a million inputs and more. On a disk (an ext4 /tmp) writing each input to a file
// was most of the time: fuzz_sentencepiece ran 864 inputs a second there and 6,473 in memory, with
// the same code under test. So the targets do not rely on TMPDIR pointing somewhere fast.
#pragma once
#include <unistd.h>

#include <filesystem>
#include <fmt/format.h>
#include <string>

namespace ag::fuzz {

// `name` inside the scratch directory.
inline std::string scratch(const std::string& name) {
  struct Dir {
    std::filesystem::path path;
    Dir() {
      const bool in_memory = std::filesystem::is_directory("/dev/shm") && ::access("/dev/shm", W_OK) == 0;
      path = (in_memory ? std::filesystem::path("/dev/shm") : std::filesystem::temp_directory_path()) /
             fmt::format("ag_fuzz_{}", ::getpid());
      std::filesystem::create_directories(path);
    }
    ~Dir() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static const Dir dir;
  return (dir.path / name).string();
}

}  // namespace ag::fuzz
