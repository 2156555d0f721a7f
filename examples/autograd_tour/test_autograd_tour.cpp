// The autograd tour runs, passes its gradchecks, and prints the gradients PyTorch computes for the
// same numbers: the expected lines below are check_with_pytorch.py's output.
#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>
#include <sstream>

#include "tour.h"

namespace {

// The numbers in a line of text, in order.
std::vector<double> numbers_in(const std::string& line) {
  static const std::regex number(R"([-+]?[0-9]*\.?[0-9]+(e[-+]?[0-9]+)?)");
  std::vector<double> out;
  for (auto it = std::sregex_iterator(line.begin(), line.end(), number); it != std::sregex_iterator(); ++it)
    out.push_back(std::stod(it->str()));
  return out;
}

// The last line of `text` that starts with `prefix`, or "".
std::string last_line_starting(const std::string& text, const std::string& prefix) {
  std::istringstream lines(text);
  std::string found;
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(prefix, 0) == 0) found = line;
  return found;
}

}  // namespace

TEST_CASE("the autograd tour prints PyTorch's gradients", "[examples][tour]") {
  std::ostringstream out;
  tour::TourOptions options;
  options.out_dir = (std::filesystem::temp_directory_path() / "ag_autograd_tour_test").string();
  options.svg = false;
  REQUIRE(tour::run_tour(out, options));
  const std::string text = out.str();

  const std::vector<std::string> expected = {
      "  dL/da = 6",
      "  dL/db = -4",
      "  dL/dc = -2",
      "  dL/df = 4",
      "  dL/dfc1.weight = [[0.0931804, -0.121035, 0.00303948], [-0.0161747, 0.00905686, 0.00744103], "
      "[0.000851075, 0.00185343, -0.00194485], [-0.0407985, 0.0460602, 0.0032919]]",
      "  dL/dfc1.bias = [0.136731, -0.0317031, 0.00322146, -0.0644896]",
      "  dL/dfc2.weight = [[0.147226, -0.201812, 0.204766, -0.173795]]",
      "  dL/dfc2.bias = [0.423132]",
  };
  for (const std::string& line : expected) {
    const std::string prefix = line.substr(0, line.find('=') + 1);
    const std::string printed = last_line_starting(text, prefix);
    INFO("expected: " << line << "\nprinted:  " << printed);
    REQUIRE(!printed.empty());
    const std::vector<double> want = numbers_in(line.substr(prefix.size()));
    const std::vector<double> got = numbers_in(printed.substr(prefix.size()));
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) CHECK(got[i] == Approx(want[i]).epsilon(1e-5));
  }
  CHECK(text.find("loss = 0.0549234") != std::string::npos);
  CHECK(text.find("step 3: AddBackward receives dL/d[3] = [[0.312379], [0.110753]]") != std::string::npos);
  CHECK(std::filesystem::exists(std::filesystem::path(options.out_dir) / "mlp.dot"));
}
