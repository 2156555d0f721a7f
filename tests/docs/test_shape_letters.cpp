// Shapes are spoken one way: docs/README.md declares the letters shapes are written with, and every
// shape written in letters in ag's sources, the examples and the tour uses only those.
#include <catch2/catch.hpp>
#include <regex>
#include <set>

#include "repo_files.h"

using namespace docs_test;

namespace {

// The letters of the "| `B` | ... |" rows under "## Shape letters" in docs/README.md.
std::set<char> declared_letters() {
  std::set<char> letters;
  bool in_section = false;
  const std::regex row(R"(^\| `([A-Z])`(?:, `([A-Z])`)* \|)"), letter("`([A-Z])`");
  for (const std::string& line : trimmed_lines(kRepo / "docs" / "README.md")) {
    if (line.rfind("## ", 0) == 0) in_section = line == "## Shape letters";
    if (!in_section || !std::regex_search(line, row)) continue;
    const std::string first_cell = line.substr(0, line.find(" |", 2));
    for (std::sregex_iterator m(first_cell.begin(), first_cell.end(), letter), end; m != end; ++m)
      letters.insert((*m)[1].str()[0]);
  }
  return letters;
}

}  // namespace

TEST_CASE("every shape written in letters uses the letters docs/README.md declares", "[docs]") {
  const std::set<char> declared = declared_letters();
  REQUIRE(declared.count('B') == 1);  // the table was found
  REQUIRE(declared.count('K') == 1);  // and a row naming two letters
  // (B,T,E), (..,L,S), (B*T,E), (3E,E): two or more dims, each `..`, a number, or letters with an
  // optional number in front and products between.
  const std::string dim = R"((?:\.\.\.?|\d+|\d*[A-Z](?:\*[A-Z])*))";
  const std::regex shape("\\(" + dim + "(?:," + dim + ")+\\)"), letter("[A-Z]");
  int shapes = 0;
  for (const char* folder : {"ag", "examples", "docs"}) {
    for (const auto& entry : fs::recursive_directory_iterator(kRepo / folder)) {
      const std::string ext = entry.path().extension().string();
      if (ext != ".h" && ext != ".cpp" && ext != ".md") continue;
      const std::string file = fs::relative(entry.path(), kRepo).generic_string();
      int number = 0;
      for (const std::string& line : trimmed_lines(entry.path())) {
        ++number;
        for (std::sregex_iterator s(line.begin(), line.end(), shape), end; s != end; ++s) {
          ++shapes;
          const std::string text = (*s)[0];
          for (std::sregex_iterator l(text.begin(), text.end(), letter); l != end; ++l) {
            INFO(file << ":" << number << ": the shape " << text << " uses " << (*l)[0]
                      << ", which docs/README.md's shape letters do not declare: use a declared letter or add it");
            CHECK(declared.count((*l)[0].str()[0]) == 1);
          }
        }
      }
    }
  }
  CHECK(shapes > 100);  // the pattern finds the shapes (a broken one would find none)
}
