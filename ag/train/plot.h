// Line charts a person can open in any browser, drawn as SVG by hand (no plotting dependency).
//
//   ag::write_file_atomically(run.file("loss.svg"), ag::train::loss_curve_svg(state.train_losses, validation));
#pragma once
#include <string>
#include <vector>

namespace ag::train {

struct CurvePoint {
  double x, y;
};

struct Curve {
  std::string label;               // in the legend
  std::vector<CurvePoint> points;  // drawn in order, joined by lines; x and y >= 0
  bool markers = false;            // also a dot at every point (for sparse curves such as validations)
};

// The curves on shared axes starting at 0, each in its own colour with its label in the legend.
std::string plot_curves(const std::vector<Curve>& curves, const std::string& title, const std::string& x_label = "step");

// The usual picture of a run: the training loss of every step, smoothed by a moving average over
// about 1/100 of the run (it is noisy), and the validation loss at each evaluation (x = step).
std::string loss_curve_svg(const std::vector<double>& train_loss_per_step, const std::vector<CurvePoint>& validation,
                           const std::string& title = "Loss per token");

// `text` with the characters XML gives a meaning in text and quoted attributes (& < > ") as entities.
std::string escape_xml(const std::string& text);

}  // namespace ag::train
