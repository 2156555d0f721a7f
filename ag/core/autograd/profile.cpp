#include "ag/core/autograd/profile.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "ag/core/autograd/node.h"

namespace ag::autograd {

namespace {

// "" and every prefix of a dotted path: "a.b.c" -> "", "a", "a.b", "a.b.c".
std::vector<std::string> lineage(const std::string& path) {
  std::vector<std::string> out{""};
  if (path.empty()) return out;
  for (size_t dot = path.find('.');; dot = path.find('.', dot + 1)) {
    out.push_back(path.substr(0, dot));
    if (dot == std::string::npos) return out;
  }
}

std::string parent_of(const std::string& path) {
  const size_t dot = path.rfind('.');
  return dot == std::string::npos ? "" : path.substr(0, dot);
}

int64_t depth_of(const std::string& path) {
  return path.empty() ? 0 : 1 + std::count(path.begin(), path.end(), '.');
}

// 1234567 -> "1.23M": FLOPs and byte counts at a glance.
std::string human(double value, const char* unit, double base) {
  const char* prefixes[] = {"", "k", "M", "G", "T"};
  int i = 0;
  while (value >= base && i < 4) value /= base, ++i;
  return i == 0 ? fmt::format("{:.0f} {}", value, unit) : fmt::format("{:.2f} {}{}", value, prefixes[i], unit);
}
std::string flops_str(int64_t flops) { return human(static_cast<double>(flops), "FLOP", 1000); }
std::string bytes_str(int64_t bytes) { return human(static_cast<double>(bytes), "B", 1024); }

}  // namespace

Profile::Profile() {
  metadata_.emplace();
  hook_.emplace([this](const BackwardStep& step) {
    NodeProfile node{step.index, step.node.name(), "", step.node.output_shape(), step.seconds, 0, 0,
                     step.node.sequence_nr()};
    if (const NodeMetadata* metadata = step.node.metadata()) {
      node.module = metadata->scope;
      node.flops = metadata->flops;
      node.saved_bytes = metadata->saved_bytes;
    }
    nodes_.push_back(std::move(node));
  });
}

void Profile::stop() {
  hook_.reset();
  metadata_.reset();
}

std::vector<ModuleProfile> Profile::modules() const {
  std::map<std::string, ModuleProfile> rows;
  std::map<std::string, uint64_t> first_seen;  // the earliest forward op in the subtree
  for (const NodeProfile& node : nodes_) {
    for (const std::string& path : lineage(node.module)) {
      ModuleProfile& row = rows[path];
      row.path = path;
      row.nodes += 1;
      row.seconds += node.seconds;
      row.flops += node.flops;
      row.saved_bytes += node.saved_bytes;
      auto [it, inserted] = first_seen.emplace(path, node.sequence_nr);
      if (!inserted) it->second = std::min(it->second, node.sequence_nr);
    }
  }
  std::map<std::string, std::vector<std::string>> children;
  for (const auto& [path, row] : rows)
    if (!path.empty()) children[parent_of(path)].push_back(path);
  for (auto& [parent, list] : children)
    std::sort(list.begin(), list.end(), [&](const auto& a, const auto& b) { return first_seen[a] < first_seen[b]; });

  std::vector<ModuleProfile> out;
  if (rows.empty()) return out;
  std::vector<std::string> stack{""};  // pre-order walk: parents before children, in forward order
  while (!stack.empty()) {
    const std::string path = std::move(stack.back());
    stack.pop_back();
    out.push_back(rows[path]);
    const auto& kids = children[path];
    stack.insert(stack.end(), kids.rbegin(), kids.rend());
  }
  return out;
}

std::string Profile::table(size_t slowest) const {
  const std::vector<ModuleProfile> rows = modules();
  if (rows.empty()) return "Profile: no backward node was recorded\n";
  const ModuleProfile& all = rows.front();
  std::string out = fmt::format("Backward profile: {} nodes, {:.3f} ms backward, {} forward, {} saved for backward\n\n",
                                all.nodes, all.seconds * 1e3, flops_str(all.flops), bytes_str(all.saved_bytes));
  std::vector<std::string> names;  // indented by depth, so the table reads as the module tree
  size_t width = 6;
  for (const ModuleProfile& row : rows) {
    names.push_back(std::string(2 * depth_of(row.path), ' ') + (row.path.empty() ? "(all)" : row.path));
    width = std::max(width, names.back().size());
  }
  out += fmt::format("{:<{}} {:>6} {:>12} {:>7} {:>13} {:>11}\n", "module", width, "nodes", "backward ms", "%",
                     "forward", "saved");
  for (size_t i = 0; i < rows.size(); ++i) {
    const ModuleProfile& row = rows[i];
    out += fmt::format("{:<{}} {:>6} {:>12.3f} {:>7.1f} {:>13} {:>11}\n", names[i], width, row.nodes,
                       row.seconds * 1e3, all.seconds > 0 ? 100 * row.seconds / all.seconds : 0.0,
                       flops_str(row.flops), bytes_str(row.saved_bytes));
  }
  std::vector<const NodeProfile*> by_time;
  for (const NodeProfile& node : nodes_) by_time.push_back(&node);
  std::stable_sort(by_time.begin(), by_time.end(), [](auto* a, auto* b) { return a->seconds > b->seconds; });
  by_time.resize(std::min(slowest, by_time.size()));
  auto module_of = [](const NodeProfile* node) { return node->module.empty() ? "(top level)" : node->module; };
  size_t module_width = 6;
  for (const NodeProfile* node : by_time) module_width = std::max(module_width, module_of(node).size());
  out += fmt::format("\n{:<26} {:<{}} {:>10} {:>13} {:>11}  {}\n", "slowest nodes", "module", module_width, "ms",
                     "forward", "saved", "output shape");
  for (const NodeProfile* node : by_time)
    out += fmt::format("{:<26} {:<{}} {:>10.3f} {:>13} {:>11}  {}\n", node->name, module_of(node), module_width,
                       node->seconds * 1e3, flops_str(node->flops), bytes_str(node->saved_bytes),
                       shape_str(node->shape));
  return out;
}

std::string Profile::json() const {
  nlohmann::json out = {{"nodes", nlohmann::json::array()}, {"modules", nlohmann::json::array()}};
  for (const NodeProfile& node : nodes_)
    out["nodes"].push_back({{"step", node.step}, {"name", node.name}, {"module", node.module}, {"shape", node.shape},
                            {"seconds", node.seconds}, {"flops", node.flops}, {"saved_bytes", node.saved_bytes}});
  for (const ModuleProfile& row : modules())
    out["modules"].push_back({{"path", row.path}, {"nodes", row.nodes}, {"seconds", row.seconds},
                              {"flops", row.flops}, {"saved_bytes", row.saved_bytes}});
  return out.dump(2);
}

}  // namespace ag::autograd
