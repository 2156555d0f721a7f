// The derivative table cannot drift: docs/ops.md names, for every op, the grad_fn its backward node
// is called and the file where forward and backward live. This test reads the name of every node the
// library records (the string given to record(), see ag/core/autograd/function.h) from the sources
// and checks both ways: each recorded node has a row that lists it at the file that records it, and
// each grad_fn the table names is still recorded somewhere.
#include <catch2/catch.hpp>
#include <map>
#include <regex>
#include <set>

#include "repo_files.h"

using namespace docs_test;

namespace {

// Node name -> the files (relative to the repository) whose record() calls use it.
std::map<std::string, std::set<std::string>> recorded_nodes() {
  std::map<std::string, std::set<std::string>> nodes;
  // record("Add", ...), record({"Mm", flops}, ...) or record({log ? "LogSoftmax" : "Softmax", flops}, ...):
  // every string literal inside the call's first argument names an op; its node is that + "Backward".
  const std::regex call(R"(\brecord\(([^,]*),)"), name(R"re("(\w+)")re");
  for (const auto& entry : fs::recursive_directory_iterator(kRepo / "ag")) {
    if (entry.path().extension() != ".cpp") continue;
    const std::string file = fs::relative(entry.path(), kRepo).generic_string();
    for (const std::string& line : trimmed_lines(entry.path())) {
      for (std::sregex_iterator c(line.begin(), line.end(), call), end; c != end; ++c) {
        const std::string first = (*c)[1];
        for (std::sregex_iterator n(first.begin(), first.end(), name); n != end; ++n) nodes[std::string((*n)[1]) + "Backward"].insert(file);
      }
    }
  }
  return nodes;
}

struct Row {
  int line;
  std::string grad_fns;  // "`UnsqueezeBackward`, `SqueezeBackward`" or "—" for composed ops
  std::string files;     // "ag/core/ops/softmax.cpp, ag/core/kernels/softmax.h"
};

// The rows of every "| op | grad_fn | forward | gradient | file |" table in docs/ops.md.
std::vector<Row> table_rows() {
  std::vector<Row> rows;
  const std::vector<std::string> lines = trimmed_lines(kRepo / "docs" / "ops.md");
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.rfind("| ", 0) != 0 || line.rfind("| op |", 0) == 0) continue;
    std::vector<std::string> cells;
    for (size_t start = 2, bar; (bar = line.find(" | ", start)) != std::string::npos; start = bar + 3)
      cells.push_back(line.substr(start, bar - start));
    const size_t last = line.rfind(" | ");
    cells.push_back(line.substr(last + 3, line.size() - last - 5));  // drop the closing " |"
    INFO("docs/ops.md:" << i + 1 << " should have 5 cells: op, grad_fn, forward, gradient, file");
    REQUIRE(cells.size() == 5);
    rows.push_back({static_cast<int>(i + 1), cells[1], cells[4]});
  }
  return rows;
}

bool lists(const std::string& cell, const std::string& item) { return cell.find(item) != std::string::npos; }

}  // namespace

TEST_CASE("docs/ops.md lists every recorded node at the file that records it", "[docs]") {
  const auto nodes = recorded_nodes();
  const auto rows = table_rows();
  REQUIRE(nodes.size() >= 30);  // the scan found the ops (a broken pattern would find none)
  for (const auto& [name, files] : nodes) {
    for (const std::string& file : files) {
      INFO(name << " is recorded in " << file << ": add a row to docs/ops.md naming `" << name
                << "` with that file, or fix the row's file");
      bool found = false;
      for (const Row& row : rows) found = found || (lists(row.grad_fns, "`" + name + "`") && lists(row.files, file));
      CHECK(found);
    }
  }
}

TEST_CASE("every grad_fn docs/ops.md names is recorded in the code", "[docs]") {
  const auto nodes = recorded_nodes();
  const std::regex quoted("`(\\w+)`");
  for (const Row& row : table_rows()) {
    for (std::sregex_iterator n(row.grad_fns.begin(), row.grad_fns.end(), quoted), end; n != end; ++n) {
      INFO("docs/ops.md:" << row.line << " names " << (*n)[1] << ", which no record() call makes");
      CHECK(nodes.count((*n)[1]));
    }
  }
}
