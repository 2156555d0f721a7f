// Dtype printing: `std::cout << ag::kFloat32` prints libtorch's scalar type names.
#include <catch2/catch.hpp>
#include <sstream>

#include "ag/ag.h"

using namespace ag;

TEST_CASE("A Dtype prints as libtorch prints a ScalarType", "[dtype]") {
  auto printed = [](Dtype t) {
    std::ostringstream out;
    out << t;
    return out.str();
  };
  CHECK(printed(kFloat32) == "Float");
  CHECK(printed(kFloat64) == "Double");
  CHECK(printed(kInt64) == "Long");
  CHECK(printed(kBool) == "Bool");
  CHECK(printed(ones({2}).to(kFloat64).dtype()) == "Double");
}
