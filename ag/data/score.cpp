// Signature and score formatting; see score.h.
#include "ag/data/score.h"

#include <fmt/format.h>

namespace ag::data {

std::string Signature::to_string() const {
  std::string out;
  for (const auto& [key, value] : fields) {
    if (!out.empty()) out += '|';
    out += key + ':' + value;
  }
  return out;
}

std::string Score::format(int width, bool with_signature) const {
  std::string out = name;
  if (with_signature) out += '|' + signature.to_string();
  out += fmt::format(" = {:.{}f}", score, width);
  if (!verbose.empty()) out += ' ' + verbose;
  return out;
}

}  // namespace ag::data
