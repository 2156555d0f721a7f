// The docs cannot rot: every ```cpp block in docs/*.md is preceded by a line
//     <!-- from: tests/docs/test_chapter_tensors.cpp -->
// naming the file it is quoted from, and its lines must appear in that file, in order and one
// after another (indentation aside). The chapters' snippets live in tests/docs/test_chapter_*.cpp,
// which this suite compiles and runs; quotes of ag's own sources are checked the same way.
#include <catch2/catch.hpp>
#include <algorithm>

#include "repo_files.h"

using namespace docs_test;

namespace {

bool contains_run(const std::vector<std::string>& haystack, const std::vector<std::string>& needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

struct Block {
  std::string where;   // "docs/x.md:12"
  std::string source;  // the path in the marker above it, or "" when there is none
  std::vector<std::string> lines;
};

std::vector<Block> cpp_blocks(const fs::path& markdown) {
  const std::string prefix = "<!-- from:", suffix = "-->";
  std::ifstream in(markdown);
  std::vector<Block> blocks;
  std::string previous, line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (trim(line) == "```cpp") {
      Block block{"docs/" + markdown.filename().string() + ":" + std::to_string(number), "", {}};
      if (previous.rfind(prefix, 0) == 0 && previous.size() > prefix.size() + suffix.size())
        block.source = trim(previous.substr(prefix.size(), previous.size() - prefix.size() - suffix.size()));
      while (std::getline(in, line) && trim(line) != "```") ++number, block.lines.push_back(trim(line));
      ++number;
      blocks.push_back(block);
    }
    if (!trim(line).empty()) previous = trim(line);
  }
  return blocks;
}

}  // namespace

TEST_CASE("every C++ block in docs/ is quoted from a file that is compiled", "[docs]") {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(kRepo / "docs")) {
    if (entry.path().extension() != ".md") continue;
    for (const Block& block : cpp_blocks(entry.path())) {
      INFO(block.where);
      REQUIRE_FALSE(block.source.empty());  // add "<!-- from: path -->" on the line above the block
      REQUIRE(fs::exists(kRepo / block.source));
      INFO("its lines are not, one after another, in " << block.source << ": copy them from there again");
      CHECK(contains_run(trimmed_lines(kRepo / block.source), block.lines));
      ++checked;
    }
  }
  CHECK(checked >= 10);
}
