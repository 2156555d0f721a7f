// See same_across_ranks.h.
#include "ag/distributed/same_across_ranks.h"

#include <functional>
#include <sstream>

#include "ag/distributed/process_group.h"

namespace ag::distributed {

namespace {

std::vector<std::string> describe(const std::vector<std::pair<std::string, Tensor>>& named) {
  std::vector<std::string> lines;
  for (const auto& [name, t] : named) lines.push_back(fmt::format("{} {} {}", name, dtype_name(t.dtype()), shape_str(t.sizes())));
  return lines;
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The first difference between rank 0's entries and this rank's, or "" when there is none.
std::string first_difference(const std::vector<std::string>& theirs, const std::vector<std::string>& mine, int me) {
  for (size_t i = 0; i < std::max(theirs.size(), mine.size()); ++i) {
    const std::string a = i < theirs.size() ? theirs[i] : "nothing", b = i < mine.size() ? mine[i] : "nothing";
    if (a == b) continue;
    std::string message = fmt::format("rank 0 has {} but rank {} has {}", a, me, b);
    if (theirs.size() != mine.size()) message += fmt::format(" (rank 0 has {} in all, rank {} has {})", theirs.size(), me, mine.size());
    return message;
  }
  return "";
}

}  // namespace

void check_same_across_ranks(const std::string& who, const std::vector<std::pair<std::string, Tensor>>& named) {
  detail::check_initialized(who.c_str());
  const std::vector<std::string> mine = describe(named);
  std::string text = join(mine);
  const auto digest = static_cast<int64_t>(std::hash<std::string>{}(text));
  const std::vector<int64_t> digests = detail::all_gather_int64({digest});
  if (std::all_of(digests.begin(), digests.end(), [&](int64_t d) { return d == digests[0]; })) return;

  // Some rank differs: compare everyone with rank 0, then let the first that differs tell everyone.
  std::string rank0 = text;
  detail::broadcast_string(rank0, 0);
  std::string message = first_difference(split(rank0), mine, rank());
  const std::vector<int64_t> differs = detail::all_gather_int64({message.empty() ? 0 : 1});
  const int first = static_cast<int>(std::find(differs.begin(), differs.end(), 1) - differs.begin());
  // A hash collision can make equal lists look different; then nobody found a difference.
  if (first == world_size()) return;
  detail::broadcast_string(message, first);
  throw Error(fmt::format("{}: the ranks do not hold the same tensors: {}. Every rank must build the same model "
                          "from the same configuration", who, message));
}

}  // namespace ag::distributed
