// StateDict: everything an optimizer, a learning-rate schedule or a weight average must save so that
// training resumes exactly, as named tensors.
//
// Keeping saved state in the same form as a model's state_dict (name -> tensor) lets a training
// program write model, optimizer and schedule to one safetensors file:
//     StateDict checkpoint = model->state_dict();
//     checkpoint.merge(add_prefix(optimizer.state_dict(), "optimizer."));
//     ...
//     optimizer.load_state_dict(strip_prefix(checkpoint, "optimizer."));
// Numbers are 0-d tensors: hyper-parameters float64 ("param_groups.0.lr"), counters int64
// ("state.3.step"), flags bool; a pair such as Adam's betas is a float64 tensor of shape (2).
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "ag/core/tensor.h"

namespace ag::optim {

using StateDict = std::map<std::string, Tensor>;

// A number as a state tensor (see above for the dtype each kind gets).
Tensor state_value(double value);
Tensor state_value(int64_t value);
Tensor state_value(bool value);
Tensor state_value(const std::tuple<double, double>& value);

// Every key of `state` with `prefix` in front, and the inverse: the entries whose key starts with
// `prefix`, with the prefix removed.
StateDict add_prefix(const StateDict& state, const std::string& prefix);
StateDict strip_prefix(const StateDict& state, const std::string& prefix);

// Reads a StateDict for a load_state_dict, checking each entry's dtype and shape, and remembers the
// keys it used so that anything left over can be reported: a checkpoint with extra or missing keys
// is almost always a checkpoint of something else, and loading it silently would train garbage.
class StateReader {
 public:
  // `who` opens every message, e.g. "Adam.load_state_dict".
  StateReader(const StateDict& state, std::string who);

  bool contains(const std::string& key) const { return state_.count(key) > 0; }
  // The tensor under `key`, or an error naming the missing key.
  const Tensor& tensor(const std::string& key);
  void read(const std::string& key, double& out);
  void read(const std::string& key, int64_t& out);
  void read(const std::string& key, bool& out);
  void read(const std::string& key, std::tuple<double, double>& out);
  // Throws listing every key nothing has read.
  void check_all_used() const;
  const std::string& who() const { return who_; }

 private:
  const Tensor& scalar(const std::string& key, Dtype dtype);

  const StateDict& state_;
  std::string who_;
  std::set<std::string> used_;
};

}  // namespace ag::optim
