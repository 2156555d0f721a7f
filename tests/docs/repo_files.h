// Reading the repository's own files from the docs suite: the docs tests check that the tour's pages
// agree with the code they describe, so they open both.
#pragma once
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace docs_test {

namespace fs = std::filesystem;

// The repository root (the suite is given tests/ as its data directory).
inline const fs::path kRepo = fs::path(AG_TEST_DATA_DIR).parent_path();

inline std::string trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t"), end = s.find_last_not_of(" \t\r");
  return begin == std::string::npos ? "" : s.substr(begin, end - begin + 1);
}

inline std::vector<std::string> trimmed_lines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(trim(line));
  return lines;
}

}  // namespace docs_test
