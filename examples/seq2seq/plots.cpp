// SVG drawing: a line chart with axes, and a labelled heat map.
#include "plots.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace seq2seq {

namespace {

std::string escape_xml(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// A tick step of 1, 2 or 5 times a power of ten giving about `count` ticks over `range`.
double nice_step(double range, int count) {
  const double raw = range / count, power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (raw <= m * power) return m * power;
  return 10 * power;
}

std::string polyline(const std::vector<CurvePoint>& points, auto&& to_x, auto&& to_y, const char* style) {
  std::string coords;
  for (const auto& p : points) coords += fmt::format("{:.1f},{:.1f} ", to_x(p.x), to_y(p.y));
  return fmt::format("<polyline fill=\"none\" {} points=\"{}\"/>\n", style, coords);
}

}  // namespace

std::string loss_curve_svg(const std::vector<double>& train, const std::vector<CurvePoint>& validation) {
  // The per-step loss is noisy; a moving average over about 1/100 of the run shows the trend.
  std::vector<CurvePoint> smoothed;
  const size_t window = std::max<size_t>(1, train.size() / 100);
  double sum = 0;
  for (size_t i = 0; i < train.size(); ++i) {
    sum += train[i];
    if (i >= window) sum -= train[i - window];
    smoothed.push_back({static_cast<double>(i + 1), sum / static_cast<double>(std::min(i + 1, window))});
  }
  double x_max = 1, y_max = 0;
  for (const auto& p : smoothed) x_max = std::max(x_max, p.x), y_max = std::max(y_max, p.y);
  for (const auto& p : validation) x_max = std::max(x_max, p.x), y_max = std::max(y_max, p.y);
  if (y_max <= 0) y_max = 1;
  const double W = 720, H = 420, left = 60, right = 20, top = 40, bottom = 50;
  auto to_x = [&](double x) { return left + x / x_max * (W - left - right); };
  auto to_y = [&](double y) { return H - bottom - y / y_max * (H - top - bottom); };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" "
      "font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{}\" y=\"24\" font-size=\"16\">Loss per token</text>\n",
      W, H, left);
  const double y_step = nice_step(y_max, 6), x_step = nice_step(x_max, 8);
  for (double y = 0; y <= y_max * 1.0001; y += y_step)
    svg += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#ddd\"/>"
                       "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">{5:g}</text>\n",
                       left, W - right, to_y(y), left - 6, to_y(y) + 4, y);
  for (double x = 0; x <= x_max * 1.0001; x += x_step)
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{:g}</text>\n", to_x(x), H - bottom + 18, x);
  svg += fmt::format("<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"black\"/>"
                     "<line x1=\"{0}\" x2=\"{3}\" y1=\"{2}\" y2=\"{2}\" stroke=\"black\"/>\n"
                     "<text x=\"{4}\" y=\"{5}\" text-anchor=\"middle\">step</text>\n",
                     left, top, H - bottom, W - right, (left + W - right) / 2, H - 10);
  svg += polyline(smoothed, to_x, to_y, "stroke=\"#1f77b4\" stroke-width=\"1.5\"");
  if (!validation.empty()) {
    svg += polyline(validation, to_x, to_y, "stroke=\"#d62728\" stroke-width=\"2\"");
    for (const auto& p : validation)
      svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"#d62728\"/>\n", to_x(p.x), to_y(p.y));
  }
  svg += fmt::format("<text x=\"{0}\" y=\"{1}\" fill=\"#1f77b4\">training (moving average)</text>"
                     "<text x=\"{0}\" y=\"{2}\" fill=\"#d62728\">validation</text>\n</svg>\n",
                     W - right - 180, top + 10, top + 26);
  return svg;
}

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
