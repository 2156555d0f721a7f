// A heat map drawn as SVG by hand, for a confusion matrix: one square per cell, shaded by its value,
// the count written inside, the row and column labels along the sides.
//
//   ag::write_file_atomically(run.file("confusion.svg"),
//                             ag::train::confusion_matrix_svg(ag::data::confusion_matrix(pred, gold, C), classes));
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ag::train {

struct HeatMap {
  std::string title;
  std::vector<std::string> row_labels, column_labels;  // one per row / column of `values`
  std::vector<std::vector<double>> values;             // shading: 0 white, 1 the darkest; clamped to [0, 1]
  std::vector<std::vector<std::string>> cells;         // the text in each cell (may be empty)
  std::string row_title, column_title;                 // what the axes mean
};

// The map as a standalone SVG document. Throws ag::Error when the sizes disagree.
std::string heatmap_svg(const HeatMap& map);

// A confusion matrix (counts[gold][predicted], see ag::data::confusion_matrix) as a heat map: each
// row shaded by its share of the row (so the diagonal reads as recall whatever the class's size),
// the counts written in the cells.
std::string confusion_matrix_svg(const std::vector<std::vector<int64_t>>& counts,
                                 const std::vector<std::string>& classes,
                                 const std::string& title = "Confusion matrix");

}  // namespace ag::train
