// Encoding numbers as state tensors, prefixing keys, and the checked reader behind every
// load_state_dict in optim/.
#include "ag/optim/state_dict.h"

#include <vector>

#include "ag/core/factory.h"

namespace ag::optim {

Tensor state_value(double value) { return scalar_tensor(value, kFloat64); }
Tensor state_value(int64_t value) { return from_vector(std::vector<int64_t>{value}, {}); }
Tensor state_value(bool value) { return from_vector(std::vector<bool>{value}, {}); }
Tensor state_value(const std::tuple<double, double>& value) {
  return from_vector(std::vector<double>{std::get<0>(value), std::get<1>(value)}, {2});
}

StateDict add_prefix(const StateDict& state, const std::string& prefix) {
  StateDict out;
  for (const auto& [key, value] : state) out.emplace(prefix + key, value);
  return out;
}

StateDict strip_prefix(const StateDict& state, const std::string& prefix) {
  StateDict out;
  for (const auto& [key, value] : state)
    if (key.starts_with(prefix)) out.emplace(key.substr(prefix.size()), value);
  return out;
}

StateReader::StateReader(const StateDict& state, std::string who) : state_(state), who_(std::move(who)) {}

const Tensor& StateReader::tensor(const std::string& key) {
  auto it = state_.find(key);
  AG_CHECK(it != state_.end(), "{}: missing key {}; was the state saved from a different model or "
           "optimizer?", who_, key);
  AG_CHECK(it->second.defined(), "{}: key {} holds an undefined tensor", who_, key);
  used_.insert(key);
  return it->second;
}

const Tensor& StateReader::scalar(const std::string& key, Dtype dtype) {
  const Tensor& t = tensor(key);
  AG_CHECK(t.dim() == 0 && t.dtype() == dtype, "{}: key {} should be a 0-d {} tensor, got a {} tensor of "
           "shape {}", who_, key, dtype_name(dtype), dtype_name(t.dtype()), shape_str(t.sizes()));
  return t;
}

void StateReader::read(const std::string& key, double& out) { out = scalar(key, kFloat64).item<double>(); }
void StateReader::read(const std::string& key, int64_t& out) { out = scalar(key, kInt64).item<int64_t>(); }
void StateReader::read(const std::string& key, bool& out) { out = scalar(key, kBool).item<bool>(); }

void StateReader::read(const std::string& key, std::tuple<double, double>& out) {
  const Tensor& t = tensor(key);
  AG_CHECK(t.sizes() == Shape{2} && t.dtype() == kFloat64, "{}: key {} should be a float64 tensor of "
           "shape (2), got a {} tensor of shape {}", who_, key, dtype_name(t.dtype()), shape_str(t.sizes()));
  std::vector<double> v = t.to_vector<double>();
  out = {v[0], v[1]};
}

void StateReader::check_all_used() const {
  std::vector<std::string> unexpected;
  for (const auto& entry : state_)
    if (!used_.count(entry.first)) unexpected.push_back(entry.first);
  AG_CHECK(unexpected.empty(), "{}: unexpected key{} {}; was the state saved from a different model or "
           "optimizer?", who_, unexpected.size() > 1 ? "s" : "", fmt::join(unexpected, ", "));
}

}  // namespace ag::optim
