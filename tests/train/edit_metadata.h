// Damaging a saved file on purpose, for the tests of programs that trust their checkpoints and
// weights files only as far as they check them: one metadata field (JSON) changed, the rest kept.
#pragma once
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "ag/core/serialize.h"

namespace ag::train::testing {

// `path` with the metadata field `key` replaced by `edit` applied to its JSON, written to `out`
// (which may be `path` itself).
inline void edit_metadata(const std::string& path, const std::string& out, const std::string& key,
                          const std::function<void(nlohmann::json&)>& edit) {
  SafetensorsFile file = load_safetensors(path);
  nlohmann::json value = nlohmann::json::parse(file.metadata.at(key));
  edit(value);
  file.metadata[key] = value.dump();
  save_safetensors(out, file.tensors, file.metadata);
}

}  // namespace ag::train::testing
