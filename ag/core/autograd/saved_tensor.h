// SavedTensor: a tensor an op keeps for its backward (PyTorch's SavedVariable).
//
// It keeps a detached alias of the data (no grad_fn, so an op that saves its own output does not
// make a reference cycle) and the storage's version counter at the moment of saving. If anything
// writes the storage in place before backward runs, unpack() throws instead of letting backward use
// the wrong values: the classic bug of calling optimizer.step() between forward and backward.
#pragma once
#include "ag/core/tensor.h"

namespace ag {

class SavedTensor {
 public:
  SavedTensor() = default;
  explicit SavedTensor(const Tensor& t);
  Tensor unpack() const;

 private:
  Tensor data_;
  uint64_t saved_version_ = 0;
};

}  // namespace ag
