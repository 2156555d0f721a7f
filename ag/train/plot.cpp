// SVG line charts: axes with round-number ticks, one polyline per curve, a legend.
#include "ag/train/plot.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace ag::train {

namespace {

// A tick step of 1, 2 or 5 times a power of ten giving about `count` ticks over `range`.
double nice_step(double range, int count) {
  const double raw = range / count, power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (raw <= m * power) return m * power;
  return 10 * power;
}

// Colours that stay apart for the colour-blind (matplotlib's first five).
constexpr const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"};

}  // namespace

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

std::string plot_curves(const std::vector<Curve>& curves, const std::string& title, const std::string& x_label) {
  double x_max = 1, y_max = 0;
  for (const auto& curve : curves)
    for (const auto& p : curve.points)
      if (std::isfinite(p.x) && std::isfinite(p.y)) x_max = std::max(x_max, p.x), y_max = std::max(y_max, p.y);
  if (y_max <= 0) y_max = 1;
  const double W = 720, H = 420, left = 60, right = 20, top = 40, bottom = 50;
  auto to_x = [&](double x) { return left + x / x_max * (W - left - right); };
  auto to_y = [&](double y) { return H - bottom - y / y_max * (H - top - bottom); };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" "
      "font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{}\" y=\"24\" font-size=\"16\">{}</text>\n",
      W, H, left, escape_xml(title));
  const double y_step = nice_step(y_max, 6), x_step = nice_step(x_max, 8);
  for (double y = 0; y <= y_max * 1.0001; y += y_step)
    svg += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#ddd\"/>"
                       "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">{5:g}</text>\n",
                       left, W - right, to_y(y), left - 6, to_y(y) + 4, y);
  for (double x = 0; x <= x_max * 1.0001; x += x_step)
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{:g}</text>\n", to_x(x), H - bottom + 18, x);
  svg += fmt::format("<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"black\"/>"
                     "<line x1=\"{0}\" x2=\"{3}\" y1=\"{2}\" y2=\"{2}\" stroke=\"black\"/>\n"
                     "<text x=\"{4}\" y=\"{5}\" text-anchor=\"middle\">{6}</text>\n",
                     left, top, H - bottom, W - right, (left + W - right) / 2, H - 10, escape_xml(x_label));
  std::string legend;
  for (size_t i = 0; i < curves.size(); ++i) {
    const Curve& curve = curves[i];
    const char* color = kColors[i % std::size(kColors)];
    if (!curve.points.empty()) {
      std::string coords;
      for (const auto& p : curve.points)
        if (std::isfinite(p.x) && std::isfinite(p.y)) coords += fmt::format("{:.1f},{:.1f} ", to_x(p.x), to_y(p.y));
      svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" points=\"{}\"/>\n", color,
                         curve.markers ? "2" : "1.5", coords);
    }
    if (curve.markers)
      for (const auto& p : curve.points)
        if (std::isfinite(p.x) && std::isfinite(p.y))
          svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>\n", to_x(p.x), to_y(p.y), color);
    legend += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"{}\">{}</text>", W - right - 180,
                          top + 10 + 16 * static_cast<double>(i), color, escape_xml(curve.label));
  }
  return svg + legend + "\n</svg>\n";
}

std::string loss_curve_svg(const std::vector<double>& train, const std::vector<CurvePoint>& validation,
                           const std::string& title) {
  Curve smoothed{"training (moving average)", {}, false};
  const size_t window = std::max<size_t>(1, train.size() / 100);
  double sum = 0;
  for (size_t i = 0; i < train.size(); ++i) {
    sum += train[i];
    if (i >= window) sum -= train[i - window];
    smoothed.points.push_back({static_cast<double>(i + 1), sum / static_cast<double>(std::min(i + 1, window))});
  }
  return plot_curves({smoothed, Curve{"validation", validation, true}}, title);
}

}  // namespace ag::train
