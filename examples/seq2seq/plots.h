// Pictures a person can open in any browser, drawn as SVG by hand (no plotting dependency).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace seq2seq {

struct CurvePoint {
  double x, y;
};

// The training loss per step (drawn smoothed) and the validation loss at each evaluation.
std::string loss_curve_svg(const std::vector<double>& train_loss_per_step, const std::vector<CurvePoint>& validation);

// A heat map of attention weights (rows = target tokens, columns = source tokens; each row sums to
// 1), darker for more attention. `weights` is row-major (rows x columns).
std::string attention_svg(const std::vector<float>& weights, const std::vector<std::string>& source_tokens,
                          const std::vector<std::string>& target_tokens, const std::string& title);

}  // namespace seq2seq
