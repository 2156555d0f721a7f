// SVG drawing: a labelled heat map.
#include "plots.h"

#include <algorithm>
#include <fmt/format.h>

#include "ag/train/plot.h"

namespace seq2seq {

using ag::train::escape_xml;

std::string attention_svg(const std::vector<float>& weights, const std::vector<std::string>& source,
                          const std::vector<std::string>& target, const std::string& title) {
  const double cell = 22, left = 90, top = 110;
  const double W = left + cell * static_cast<double>(source.size()) + 20;
  const double H = top + cell * static_cast<double>(target.size()) + 20;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" font-family=\"monospace\" "
      "font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"10\" y=\"20\" font-family=\"sans-serif\" font-size=\"14\">{}</text>\n",
      std::max(W, 20 + 7.5 * static_cast<double>(title.size())), H, escape_xml(title));
  for (size_t s = 0; s < source.size(); ++s) {  // source tokens along the top, turned to read upwards
    const double x = left + cell * (static_cast<double>(s) + 0.6);
    svg += fmt::format("<text transform=\"translate({:.1f},{:.1f}) rotate(-60)\">{}</text>\n", x, top - 6,
                       escape_xml(source[s]));
  }
  for (size_t t = 0; t < target.size(); ++t) {
    const double y = top + cell * static_cast<double>(t);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 6, y + cell * 0.7,
                       escape_xml(target[t]));
    for (size_t s = 0; s < source.size(); ++s) {
      const double w = std::clamp(static_cast<double>(weights[t * source.size() + s]), 0.0, 1.0);
      // White for no attention to dark blue for all of it.
      const int r = static_cast<int>(255 - w * 247), g = static_cast<int>(255 - w * 207), b = static_cast<int>(255 - w * 148);
      svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{}\" height=\"{}\" fill=\"rgb({},{},{})\">"
                         "<title>{:.3f}</title></rect>\n",
                         left + cell * static_cast<double>(s), y, cell, cell, r, g, b, w);
    }
  }
  return svg + "</svg>\n";
}

}  // namespace seq2seq
