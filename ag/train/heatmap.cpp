// SVG heat maps and the confusion matrix drawn as one; see heatmap.h.
#include "ag/train/heatmap.h"

#include <fmt/format.h>

#include <algorithm>

#include "ag/core/error.h"
#include "ag/train/plot.h"

namespace ag::train {

std::string heatmap_svg(const HeatMap& map) {
  const size_t rows = map.values.size(), columns = map.column_labels.size();
  AG_CHECK(map.row_labels.size() == rows && map.cells.size() == rows, "heatmap_svg: {} rows of values, {} row "
           "labels and {} rows of cell texts", rows, map.row_labels.size(), map.cells.size());
  for (size_t r = 0; r < rows; ++r)
    AG_CHECK(map.values[r].size() == columns && map.cells[r].size() == columns,
             "heatmap_svg: row {} has {} values and {} cell texts for {} columns", r, map.values[r].size(),
             map.cells[r].size(), columns);
  size_t longest = 1;  // the widest row label sets the left margin (about 7 px per character)
  for (const std::string& label : map.row_labels) longest = std::max(longest, label.size());
  const double cell = std::clamp(560.0 / static_cast<double>(std::max<size_t>(columns, 1)), 14.0, 60.0);
  const double font = std::min(12.0, cell * 0.4);
  const double left = 30 + 7.0 * static_cast<double>(std::min<size_t>(longest, 24)), top = 130;
  const double width = left + cell * static_cast<double>(columns) + 20, height = top + cell * static_cast<double>(rows) + 40;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" font-family=\"sans-serif\" "
      "font-size=\"{:.1f}\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"10\" y=\"24\" font-size=\"16\">{}</text>\n"
      "<text x=\"{:.1f}\" y=\"48\" text-anchor=\"middle\" font-size=\"12\">{}</text>\n"
      "<text x=\"12\" y=\"{:.1f}\" font-size=\"12\" transform=\"rotate(-90 12 {:.1f})\" "
      "text-anchor=\"middle\">{}</text>\n",
      width, height, font, escape_xml(map.title), left + cell * static_cast<double>(columns) / 2,
      escape_xml(map.column_title), top + cell * static_cast<double>(rows) / 2, top + cell * static_cast<double>(rows) / 2,
      escape_xml(map.row_title));
  for (size_t c = 0; c < columns; ++c) {
    const double x = left + cell * (static_cast<double>(c) + 0.5);
    svg += fmt::format("<text x=\"{0:.1f}\" y=\"{1:.1f}\" transform=\"rotate(-60 {0:.1f} {1:.1f})\">{2}</text>\n", x,
                       top - 6, escape_xml(map.column_labels[c]));
  }
  for (size_t r = 0; r < rows; ++r) {
    const double y = top + cell * static_cast<double>(r);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 6, y + cell / 2 + font / 3,
                       escape_xml(map.row_labels[r]));
    for (size_t c = 0; c < columns; ++c) {
      const double v = std::clamp(map.values[r][c], 0.0, 1.0);
      // White to matplotlib's dark blue (#08306b), linearly in RGB; light text on the dark half.
      const auto mix = [v](int full) { return static_cast<int>(255 + (full - 255) * v); };
      const double x = left + cell * static_cast<double>(c);
      svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"rgb({},{},{})\" "
                         "stroke=\"#eee\"/>",
                         x, y, cell, cell, mix(0x08), mix(0x30), mix(0x6b));
      if (!map.cells[r][c].empty())
        svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" fill=\"{}\">{}</text>", x + cell / 2,
                           y + cell / 2 + font / 3, v > 0.5 ? "white" : "black", escape_xml(map.cells[r][c]));
      svg += "\n";
    }
  }
  return svg + "</svg>\n";
}

std::string confusion_matrix_svg(const std::vector<std::vector<int64_t>>& counts,
                                 const std::vector<std::string>& classes, const std::string& title) {
  HeatMap map{.title = title, .row_labels = classes, .column_labels = classes, .values = {}, .cells = {},
              .row_title = "true class", .column_title = "predicted class"};
  for (const std::vector<int64_t>& row : counts) {
    int64_t total = 0;
    for (const int64_t n : row) total += n;
    std::vector<double> shares;
    std::vector<std::string> texts;
    for (const int64_t n : row) {
      shares.push_back(total > 0 ? static_cast<double>(n) / static_cast<double>(total) : 0.0);
      texts.push_back(n > 0 ? std::to_string(n) : "");
    }
    map.values.push_back(std::move(shares));
    map.cells.push_back(std::move(texts));
  }
  return heatmap_svg(map);
}

}  // namespace ag::train
