// Golden fixtures: tensors written by PyTorch scripts in tests/reference/, compared in C++.
//
// A fixture is JSON: {"tensors": {"name": {"dtype": "float32", "shape": [2, 3], "data": [...]}}, ...}
// (see tests/reference/fixture_io.py). load_fixture() returns the tensors by name;
// require_close() fails with the worst element's index and both values.
#pragma once
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "ag/ag.h"

namespace ag::test {

struct Fixture {
  std::map<std::string, Tensor> tensors;
  nlohmann::json meta;  // anything else the script recorded (hyper-parameters, ...)
  const Tensor& at(const std::string& name) const {
    auto it = tensors.find(name);
    if (it == tensors.end()) throw Error("fixture has no tensor named " + name);
    return it->second;
  }
};

inline Fixture load_fixture(const std::string& file) {
  std::ifstream in(std::string(AG_TEST_DATA_DIR) + "/reference/fixtures/" + file);
  if (!in) throw Error("cannot open fixture " + file + "; regenerate with the scripts in tests/reference/");
  nlohmann::json j = nlohmann::json::parse(in);
  Fixture f;
  for (auto& [name, t] : j.at("tensors").items()) {
    Shape shape = t.at("shape").get<Shape>();
    std::string dtype = t.at("dtype").get<std::string>();
    if (dtype == "int64") f.tensors[name] = from_vector(t.at("data").get<std::vector<int64_t>>(), shape);
    else if (dtype == "bool") f.tensors[name] = from_vector(t.at("data").get<std::vector<bool>>(), shape);
    else if (dtype == "float64") f.tensors[name] = from_vector(t.at("data").get<std::vector<double>>(), shape);
    else f.tensors[name] = from_vector(t.at("data").get<std::vector<float>>(), shape);
  }
  if (j.contains("meta")) f.meta = j.at("meta");
  return f;
}

// Every element within atol + rtol * |expected|; on failure, names the worst element.
inline void require_close(const Tensor& actual, const Tensor& expected, double rtol, double atol,
                          const std::string& what) {
  INFO(what);
  REQUIRE(actual.defined());
  REQUIRE(actual.sizes() == expected.sizes());
  std::vector<double> a = actual.to_vector<double>(), e = expected.to_vector<double>();
  double worst = 0;
  size_t worst_i = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    double excess = std::abs(a[i] - e[i]) / (atol + rtol * std::abs(e[i]));
    if (!(excess <= worst)) worst = excess, worst_i = i;  // also catches NaN
  }
  INFO(fmt::format("worst element {}: got {:.9g}, expected {:.9g} (rtol {}, atol {})", worst_i,
                   a.empty() ? 0 : a[worst_i], e.empty() ? 0 : e[worst_i], rtol, atol));
  CHECK(worst <= 1.0);
}

}  // namespace ag::test
