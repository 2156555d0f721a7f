// plot_series: axes fitted to the data (negative values, years far from 0) and shaded bands.
#include <catch2/catch.hpp>

#include "ag/train/plot.h"

using namespace ag::train;

namespace {

size_t count(const std::string& text, const std::string& piece) {
  size_t n = 0;
  for (size_t at = text.find(piece); at != std::string::npos; at = text.find(piece, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("plot_series: axes fit the data, bands are shaded polygons under the curves") {
  const std::string svg = plot_series({{"history", {{1990, -4.0}, {1991, 3.0}}, false},
                                       {"forecast", {{1991, 3.0}, {1992, 5.0}}, false}},
                                      {{"80% interval", {1991, 1992}, {2.0, 3.5}, {4.0, 6.0}}}, "a & b", "year");
  CHECK(count(svg, "<polyline") == 2);
  CHECK(count(svg, "<polygon") == 1);
  CHECK(svg.find("<polygon") < svg.find("<polyline"));  // drawn first, so the curves stay on top
  CHECK(svg.find(">-4<") != std::string::npos);         // a tick below zero
  CHECK(svg.find(">1990<") != std::string::npos);       // the x axis starts near the data, not at 0
  CHECK(svg.find(">0<") != std::string::npos);
  CHECK(svg.find(">1000<") == std::string::npos);
  CHECK(svg.find("a &amp; b") != std::string::npos);
  CHECK(svg.find("80% interval") != std::string::npos);
  // Nothing to draw, or a single point, still gives a valid chart.
  CHECK(count(plot_series({}, {}, "empty"), "</svg>") == 1);
  CHECK(count(plot_series({{"one", {{5, 5}}, false}}, {}, "one"), "<polyline") == 1);
}
