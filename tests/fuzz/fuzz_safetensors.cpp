// libFuzzer target: ag::load_safetensors on arbitrary bytes (see docs/fuzzing.md).
//
// Every input must either load or be refused with ag::Error; anything else (a crash, a sanitizer
// report, another exception) is a finding. A file that loads must also survive a save and a reload
// with the same names, dtypes, shapes and bytes.
#include <cstring>
#include <fstream>

#include "ag/core/serialize.h"
#include "scratch.h"

namespace {

using ag::fuzz::scratch;

void check_round_trip(const ag::SafetensorsFile& file) {
  const std::string again = scratch("again.safetensors");
  ag::save_safetensors(again, file.tensors, file.metadata);
  const ag::SafetensorsFile reloaded = ag::load_safetensors(again);
  if (reloaded.metadata != file.metadata || reloaded.tensors.size() != file.tensors.size()) __builtin_trap();
  for (const auto& [name, t] : file.tensors) {
    const ag::Tensor& u = reloaded.tensors.at(name);
    const size_t nbytes = static_cast<size_t>(t.numel()) * ag::element_size(t.dtype());
    if (u.dtype() != t.dtype() || u.sizes() != t.sizes() ||
        (nbytes && std::memcmp(u.impl()->storage->data(), t.impl()->storage->data(), nbytes) != 0))
      __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = scratch("input.safetensors");
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data),
                                                                 static_cast<std::streamsize>(size));
  ag::SafetensorsFile file;
  try {
    file = ag::load_safetensors(path);
  } catch (const ag::Error&) {
    return 0;  // refused cleanly
  }
  check_round_trip(file);
  return 0;
}
