// Saving and loading named tensors in the safetensors format, so PyTorch can read ag's weights
// (`safetensors.torch.load_file`) and ag can read PyTorch's.
//
// The file is: 8 bytes (little-endian u64) giving the header's length N; N bytes of JSON naming each
// tensor's dtype, shape and byte range ("data_offsets", relative to the data section), plus an optional
// "__metadata__" object of string pairs; then the raw little-endian data.
//
// Saving is atomic: the file is written beside the target, flushed to disk, then renamed over it, so
// a crash at any moment leaves either the old file or the new one, never half of one. Loading checks
// everything (header length, JSON, dtypes, shapes, byte ranges, file size) and throws ag::Error
// naming the file and what is wrong, so a truncated or corrupted file is refused, never half-read.
#pragma once
#include <map>
#include <string>

#include "ag/core/tensor.h"

namespace ag {

using TensorMap = std::map<std::string, Tensor>;
using Metadata = std::map<std::string, std::string>;

void save_safetensors(const std::string& path, const TensorMap& tensors, const Metadata& metadata = {});

struct SafetensorsFile {
  TensorMap tensors;
  Metadata metadata;
};
SafetensorsFile load_safetensors(const std::string& path);

// Writes `bytes` to `path` atomically (temporary file, fsync, rename); used for every file a
// training run must never leave half-written.
void write_file_atomically(const std::string& path, const std::string& bytes);

}  // namespace ag
