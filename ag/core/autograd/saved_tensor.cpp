#include "ag/core/autograd/saved_tensor.h"

#include "ag/core/autograd/metadata.h"

namespace ag {

SavedTensor::SavedTensor(const Tensor& t)
    : data_(t.defined() ? t.detach() : Tensor()), saved_version_(t.defined() ? t.version() : 0) {
  if (autograd::metadata_enabled()) autograd::note_saved(t);  // for the profile's memory column
}

Tensor SavedTensor::unpack() const {
  if (data_.defined()) {
    AG_CHECK(data_.version() == saved_version_,
             "a tensor of shape {} that backward needs was modified by an in-place operation "
             "(version {} when saved, now {}). Use an out-of-place op, or modify it only after "
             "backward (e.g. call optimizer.step() after loss.backward())",
             shape_str(data_.sizes()), saved_version_, data_.version());
  }
  return data_;
}

}  // namespace ag
