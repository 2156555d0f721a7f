// SVG line charts: axes with round-number ticks, shaded bands, one polyline per curve, a legend.
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

struct Range {
  double low, high;
};

bool finite(double x, double y) { return std::isfinite(x) && std::isfinite(y); }

// The chart: axes over x and y (high > low), bands shaded under the curves, the legend at the top right.
std::string render(const std::vector<Curve>& curves, const std::vector<Band>& bands, const std::string& title,
                   const std::string& x_label, Range x, Range y) {
  const double W = 720, H = 420, left = 60, right = 20, top = 40, bottom = 50;
  auto to_x = [&](double v) { return left + (v - x.low) / (x.high - x.low) * (W - left - right); };
  auto to_y = [&](double v) { return H - bottom - (v - y.low) / (y.high - y.low) * (H - top - bottom); };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" "
      "font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{}\" y=\"24\" font-size=\"16\">{}</text>\n",
      W, H, left, escape_xml(title));
  const double y_step = nice_step(y.high - y.low, 6), x_step = nice_step(x.high - x.low, 8);
  // Ticks at whole multiples of the step (at most 100: a range tiny beside its values must not loop).
  auto ticks = [](Range r, double step) {
    std::vector<double> out;
    for (double i = std::ceil(r.low / step); out.size() < 100 && i * step <= r.high + 1e-4 * step; ++i)
      out.push_back(std::abs(i) < 0.5 ? 0.0 : i * step);
    return out;
  };
  for (double v : ticks(y, y_step))
    svg += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#ddd\"/>"
                       "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">{5:g}</text>\n",
                       left, W - right, to_y(v), left - 6, to_y(v) + 4, v);
  for (double v : ticks(x, x_step))
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{:g}</text>\n", to_x(v), H - bottom + 18, v);
  svg += fmt::format("<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"black\"/>"
                     "<line x1=\"{0}\" x2=\"{3}\" y1=\"{2}\" y2=\"{2}\" stroke=\"black\"/>\n"
                     "<text x=\"{4}\" y=\"{5}\" text-anchor=\"middle\">{6}</text>\n",
                     left, top, H - bottom, W - right, (left + W - right) / 2, H - 10, escape_xml(x_label));
  std::string legend;
  size_t entry = 0;
  auto add_legend = [&](const std::string& label, const char* color) {
    legend += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"{}\">{}</text>", W - right - 180,
                          top + 10 + 16 * static_cast<double>(entry++), color, escape_xml(label));
  };
  for (const Band& band : bands) {  // upper edge left to right, lower edge back
    std::string coords;
    const size_t n = std::min({band.x.size(), band.lower.size(), band.upper.size()});
    for (size_t i = 0; i < n; ++i)
      if (finite(band.x[i], band.upper[i])) coords += fmt::format("{:.1f},{:.1f} ", to_x(band.x[i]), to_y(band.upper[i]));
    for (size_t i = n; i-- > 0;)
      if (finite(band.x[i], band.lower[i])) coords += fmt::format("{:.1f},{:.1f} ", to_x(band.x[i]), to_y(band.lower[i]));
    svg += fmt::format("<polygon fill=\"#bbb\" fill-opacity=\"0.5\" stroke=\"none\" points=\"{}\"/>\n", coords);
    add_legend(band.label, "#888");
  }
  for (size_t i = 0; i < curves.size(); ++i) {
    const Curve& curve = curves[i];
    const char* color = kColors[i % std::size(kColors)];
    if (!curve.points.empty()) {
      std::string coords;
      for (const auto& p : curve.points)
        if (finite(p.x, p.y)) coords += fmt::format("{:.1f},{:.1f} ", to_x(p.x), to_y(p.y));
      svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" points=\"{}\"/>\n", color,
                         curve.markers ? "2" : "1.5", coords);
    }
    if (curve.markers)
      for (const auto& p : curve.points)
        if (finite(p.x, p.y))
          svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>\n", to_x(p.x), to_y(p.y), color);
    add_legend(curve.label, color);
  }
  return svg + legend + "\n</svg>\n";
}

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
      if (finite(p.x, p.y)) x_max = std::max(x_max, p.x), y_max = std::max(y_max, p.y);
  if (y_max <= 0) y_max = 1;
  return render(curves, {}, title, x_label, {0, x_max}, {0, y_max});
}

std::string plot_series(const std::vector<Curve>& curves, const std::vector<Band>& bands, const std::string& title,
                        const std::string& x_label) {
  Range x{INFINITY, -INFINITY}, y{INFINITY, -INFINITY};
  auto include = [&](double px, double py) {
    if (!finite(px, py)) return;
    x = {std::min(x.low, px), std::max(x.high, px)};
    y = {std::min(y.low, py), std::max(y.high, py)};
  };
  for (const auto& curve : curves)
    for (const auto& p : curve.points) include(p.x, p.y);
  for (const auto& band : bands)
    for (size_t i = 0; i < std::min({band.x.size(), band.lower.size(), band.upper.size()}); ++i)
      include(band.x[i], band.lower[i]), include(band.x[i], band.upper[i]);
  if (!(x.low < x.high)) x = std::isfinite(x.low) ? Range{x.low - 1, x.low + 1} : Range{0, 1};
  if (!(y.low < y.high)) y = std::isfinite(y.low) ? Range{y.low - 1, y.low + 1} : Range{0, 1};
  const double margin = 0.05 * (y.high - y.low);  // room above and below the extremes
  return render(curves, bands, title, x_label, x, {y.low - margin, y.high + margin});
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
