// PyTorch's printing rules (torch/_tensor_str.py), in short:
//  - floats that are all whole numbers print as "1.", others with 4 decimals ("1.2500");
//  - if the magnitudes span more than 1000x, or exceed 1e8, or go below 1e-4, use scientific
//    notation ("1.2500e-05") for every element;
//  - every element is padded to the same width, rows are wrapped in brackets and aligned;
//  - tensors with more than 1000 elements show the first and last 3 entries of each dim with "...".
#include "ag/core/print.h"

#include <algorithm>
#include <cmath>

#include "ag/core/autograd/node.h"

namespace ag {

namespace {

constexpr int64_t kSummarizeAbove = 1000;
constexpr int64_t kEdgeItems = 3;

struct Style {
  enum Kind { Integer, Fixed, Scientific, Int, Bool } kind = Fixed;
  size_t width = 0;
};

std::string format_value(double v, const Style& style) {
  switch (style.kind) {
    case Style::Int: return fmt::format("{}", static_cast<int64_t>(v));
    case Style::Bool: return v != 0 ? "True" : "False";
    case Style::Integer: return std::isfinite(v) ? fmt::format("{:.0f}.", v) : fmt::format("{}", v);
    case Style::Scientific: return fmt::format("{:.4e}", v);
    case Style::Fixed: return std::isfinite(v) ? fmt::format("{:.4f}", v) : fmt::format("{}", v);
  }
  return "";
}

Style choose_style(const Tensor& t, const std::vector<double>& values) {
  Style style;
  if (t.dtype() == kInt64) style.kind = Style::Int;
  if (t.dtype() == kBool) style.kind = Style::Bool;
  if (is_floating(t.dtype())) {
    double lo = INFINITY, hi = 0;
    bool whole = true;
    for (double v : values) {
      if (!std::isfinite(v)) continue;
      whole = whole && v == std::round(v);
      if (v != 0) lo = std::min(lo, std::abs(v)), hi = std::max(hi, std::abs(v));
    }
    style.kind = whole ? Style::Integer : Style::Fixed;
    if (hi > 0 && (hi / lo > 1000 || hi > 1e8 || lo < 1e-4)) style.kind = whole && hi <= 1e8 ? Style::Integer : Style::Scientific;
  }
  for (double v : values) style.width = std::max(style.width, format_value(v, style).size());
  return style;
}

// Which indices of a dim of `size` are shown.
std::vector<int64_t> shown(int64_t size, bool summarize) {
  std::vector<int64_t> idx;
  for (int64_t i = 0; i < size; ++i)
    if (!summarize || size <= 2 * kEdgeItems || i < kEdgeItems || i >= size - kEdgeItems) idx.push_back(i);
  return idx;
}

void gather_shown(const Tensor& t, bool summarize, std::vector<double>& out) {
  if (t.dim() == 0) {
    out.push_back(t.item<double>());
    return;
  }
  for (int64_t i : shown(t.size(0), summarize)) gather_shown(t.select(0, i), summarize, out);
}

void write(std::string& out, const Tensor& t, const Style& style, bool summarize, size_t indent) {
  if (t.dim() == 0) {
    std::string s = format_value(t.item<double>(), style);
    out += std::string(style.width - s.size(), ' ') + s;
    return;
  }
  out += '[';
  std::vector<int64_t> idx = shown(t.size(0), summarize);
  for (size_t k = 0; k < idx.size(); ++k) {
    if (k > 0) {
      out += ',';
      if (t.dim() == 1) out += ' ';
      else out += std::string(t.dim() - 1, '\n') + std::string(indent + 1, ' ');
    }
    if (k > 0 && idx[k] != idx[k - 1] + 1) {
      out += t.dim() == 1 ? "..., " : "...,\n" + std::string(indent + 1, ' ');
    }
    write(out, t.select(0, idx[k]), style, summarize, indent + 1);
  }
  out += ']';
}

}  // namespace

std::string to_string(const Tensor& t) {
  if (!t.defined()) return "[ undefined tensor ]";
  Tensor data = t.detach();
  bool summarize = data.numel() > kSummarizeAbove;
  std::vector<double> values;
  gather_shown(data.to(kFloat64), summarize, values);
  Style style = choose_style(data, values);
  std::string out = "tensor(";
  write(out, data.to(kFloat64), style, summarize, 7);
  if (data.numel() == 0) out += fmt::format(", size={}", shape_str(data.sizes()));
  if (t.dtype() == kFloat64) out += fmt::format(", dtype={}", dtype_name(t.dtype()));
  if (t.grad_fn()) out += fmt::format(", grad_fn=<{}>", t.grad_fn()->name());
  else if (t.requires_grad()) out += ", requires_grad=True";
  return out + ")";
}

std::ostream& operator<<(std::ostream& out, const Tensor& t) { return out << to_string(t); }

}  // namespace ag
