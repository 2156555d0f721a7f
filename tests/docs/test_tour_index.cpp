// The tour's index cannot disagree with its chapters: each numbered entry of docs/README.md,
// "2. [How backward works](autograd.md): ...", must be the heading of the chapter it links,
// "# 2. How backward works", and each numbered chapter must be in the index.
#include <catch2/catch.hpp>
#include <map>
#include <regex>

#include "repo_files.h"

using namespace docs_test;

TEST_CASE("docs/README.md numbers the chapters as their headings do", "[docs]") {
  const std::regex entry(R"(^(\d+)\. \[([^\]]+)\]\(([\w-]+\.md)\))");
  std::map<std::string, std::string> indexed;  // file -> "N. Title"
  for (const std::string& line : trimmed_lines(kRepo / "docs" / "README.md")) {
    std::smatch m;
    if (std::regex_search(line, m, entry)) indexed[m[3]] = std::string(m[1]) + ". " + std::string(m[2]);
  }
  REQUIRE(indexed.size() >= 7);
  for (const auto& [file, title] : indexed) {
    INFO("docs/README.md lists " << file << " as \"" << title << "\": make its heading say the same");
    REQUIRE(fs::exists(kRepo / "docs" / file));
    CHECK(trimmed_lines(kRepo / "docs" / file).at(0) == "# " + title);
  }
  const std::regex numbered(R"(^# \d+\. )");
  for (const auto& page : fs::directory_iterator(kRepo / "docs")) {
    const std::string file = page.path().filename().string();
    if (page.path().extension() != ".md" || file == "README.md") continue;
    INFO(file << " has a numbered heading but is not in docs/README.md's list");
    if (std::regex_search(trimmed_lines(page.path()).at(0), numbered)) CHECK(indexed.count(file));
  }
}
