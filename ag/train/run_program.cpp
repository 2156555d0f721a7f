#include "ag/train/run_program.h"

#include <filesystem>
#include <ostream>

#include "ag/core/error.h"

namespace ag::train {

int run_program(const std::string& program, std::ostream& err, const std::function<int()>& body) {
  try {
    return body();
  } catch (const ag::Error& e) {
    err << program << ": error: " << e.what() << "\n";
  } catch (const std::filesystem::filesystem_error& e) {
    err << program << ": error: " << e.what() << " (check the path and its permissions)\n";
  } catch (const std::exception& e) {
    err << program << ": unexpected error: " << e.what() << "\n";
  }
  return 1;
}

}  // namespace ag::train
