// Run-directory rules: fresh, forced, resumed; and the clean-up after a killed save.
#include "ag/train/run_dir.h"

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fmt/format.h>
#include <sys/types.h>

#include "ag/core/error.h"

namespace ag::train {

namespace fs = std::filesystem;

namespace {

// Every name the program writes, the checkpoint first.
std::vector<std::string> owned_names(const RunFiles& files) {
  std::vector<std::string> names = {files.checkpoint};
  names.insert(names.end(), files.outputs.begin(), files.outputs.end());
  return names;
}

// The pid in "<name>.tmp.<pid>" when `file` is a temporary of `name`, else 0.
pid_t temporary_of(const std::string& file, const std::string& name) {
  const std::string prefix = name + ".tmp.";
  if (!file.starts_with(prefix) || file.size() == prefix.size() || file.size() - prefix.size() > 9) return 0;
  pid_t pid = 0;
  for (char c : file.substr(prefix.size())) {
    if (c < '0' || c > '9') return 0;
    pid = pid * 10 + (c - '0');
  }
  return pid;
}

// kill(pid, 0) sends nothing: it only asks whether the process exists (EPERM: it does, not ours).
bool process_is_running(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

}  // namespace

int remove_stale_temporaries(const std::string& dir, const RunFiles& files, std::ostream& log) {
  if (!fs::is_directory(dir)) return 0;
  std::vector<fs::path> entries;  // listed first: a directory is not changed while it is being read
  for (const auto& entry : fs::directory_iterator(dir)) entries.push_back(entry.path());
  int removed = 0;
  for (const auto& path : entries) {
    for (const auto& name : owned_names(files)) {
      const pid_t pid = temporary_of(path.filename().string(), name);
      if (pid <= 0 || process_is_running(pid)) continue;
      fs::remove(path);
      log << fmt::format("removed {}: an unfinished save of {} by process {}, which is no longer running\n",
                         path.string(), name, pid);
      ++removed;
      break;
    }
  }
  return removed;
}

std::string RunDir::file(const std::string& name) const { return (fs::path(path_) / name).string(); }

RunDir RunDir::fresh(const std::string& path, const RunFiles& files, bool force, std::ostream& log) {
  fs::create_directories(path);
  remove_stale_temporaries(path, files, log);
  std::vector<std::string> present;
  for (const auto& entry : fs::directory_iterator(path)) present.push_back(entry.path().filename().string());
  if (!present.empty()) {
    AG_CHECK(force, "--out {} is not empty (it holds {}{}); continue that run with --resume {}, choose another "
             "--out, or add --force to start over (deleting the files an earlier run wrote there)",
             path, present.front(), present.size() > 1 ? fmt::format(" and {} more", present.size() - 1) : "", path);
    for (const auto& name : owned_names(files)) fs::remove(fs::path(path) / name);
  }
  return RunDir(path);
}

RunDir RunDir::resume(const std::string& path, const RunFiles& files, std::ostream& log) {
  AG_CHECK(fs::is_directory(path), "--resume {}: no such directory", path);
  const int removed = remove_stale_temporaries(path, files, log);
  RunDir run(path);
  AG_CHECK(fs::exists(run.file(files.checkpoint)), "--resume {}: there is no {} in it; {}", path, files.checkpoint,
           removed > 0 && fs::is_empty(path)
               ? fmt::format("the run was stopped before its first checkpoint was saved, so start it again with "
                             "--out {}", path)
               : fmt::format("is it the --out directory of `{}`?", files.program));
  return run;
}

std::string file_named_in(const std::string& dir, const std::string& name, std::string_view what, uintmax_t max_bytes) {
  const fs::path folder = dir.empty() ? fs::path(".") : fs::path(dir);
  AG_CHECK(!name.empty() && fs::path(name).filename() == name && name != "." && name != "..",
           "the checkpoint names the {} '{}', but it may only name a file in its own directory {}; the checkpoint "
           "is damaged, or was made to read other files", what, name, folder.string());
  const fs::path path = folder / name;
  AG_CHECK(fs::exists(path), "the checkpoint uses the {} {}, which is missing; copy it back next to the checkpoint",
           what, path.string());
  const fs::path real = fs::canonical(path);
  AG_CHECK(real.parent_path() == fs::canonical(folder), "the {} {} is a link that leads out of {} (to {}); put the "
           "file itself there", what, path.string(), folder.string(), real.string());
  AG_CHECK(fs::is_regular_file(real), "the {} {} is not a regular file (a directory, or a device)", what,
           path.string());
  const uintmax_t size = fs::file_size(real);
  AG_CHECK(size <= max_bytes, "the {} {} has {} bytes, more than any {} ({} at most); it is not one", what,
           path.string(), size, what, max_bytes);
  return path.string();
}

}  // namespace ag::train
