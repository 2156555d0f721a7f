// autograd_tour [out_dir]: prints the tour and writes its graphs as DOT (and SVG) into out_dir.
#include <iostream>

#include "tour.h"

int main(int argc, char** argv) {
  tour::TourOptions options;
  if (argc > 1) options.out_dir = argv[1];
  try {
    return tour::run_tour(std::cout, options) ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "autograd_tour: " << e.what() << "\n";
    return 1;
  }
}
