// Line charts a person can open in any browser, drawn as SVG by hand (no plotting dependency).
//
//   ag::write_file_atomically(run.file("loss.svg"), ag::train::loss_curve_svg(state.train_losses, validation));
//   ag::write_file_atomically(run.file("forecast.svg"), ag::train::plot_series({history, forecast}, {interval}, "co2"));
#pragma once
#include <string>
#include <vector>

namespace ag::train {

struct CurvePoint {
  double x, y;
};

struct Curve {
  std::string label;               // in the legend
  std::vector<CurvePoint> points;  // drawn in order, joined by lines; x and y >= 0 for plot_curves
  bool markers = false;            // also a dot at every point (for sparse curves such as validations)
};

// The curves on shared axes starting at 0, each in its own colour with its label in the legend.
std::string plot_curves(const std::vector<Curve>& curves, const std::string& title, const std::string& x_label = "step");

// A shaded region between two curves, such as a prediction interval: lower[i] and upper[i] at x[i].
struct Band {
  std::string label;
  std::vector<double> x, lower, upper;  // the same length
};

// Curves and bands on axes fitted to the data (any finite x and y, not only from 0), as a series
// over time and its forecast are drawn; the bands go under the curves.
std::string plot_series(const std::vector<Curve>& curves, const std::vector<Band>& bands, const std::string& title,
                        const std::string& x_label = "time");

// The usual picture of a run: the training loss of every step, smoothed by a moving average over
// about 1/100 of the run (it is noisy), and the validation loss at each evaluation (x = step).
std::string loss_curve_svg(const std::vector<double>& train_loss_per_step, const std::vector<CurvePoint>& validation,
                           const std::string& title = "Loss per token");

// `text` with the characters XML gives a meaning in text and quoted attributes (& < > ") as entities.
std::string escape_xml(const std::string& text);

}  // namespace ag::train
