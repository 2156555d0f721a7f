// For the tests of `train --resume` with flags (tests/gpt, tests/classify, tests/forecast): the flags a user typed,
// a run directory's files to compare before and after, and the settings its checkpoint keeps.
#pragma once
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "ag/core/serialize.h"
#include "ag/train/settings.h"

namespace ag::train::testing {

// The options of `train --resume dir` with no other flag, for any program's TrainOptions.
template <typename TrainOptions>
TrainOptions resume_of(const std::string& dir) {
  TrainOptions o;
  o.resume = dir;
  return o;
}

// `was_given` for a command line that named exactly `flags` (beside --resume).
inline FlagGiven typed(std::set<std::string> flags) {
  return [flags = std::move(flags)](const std::string& flag) { return flags.contains(flag); };
}

// Every file of `dir` and its bytes.
inline std::map<std::string, std::string> contents(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    files[entry.path().filename().string()] = std::string(std::istreambuf_iterator<char>(in), {});
  }
  return files;
}

// The settings `dir`/checkpoint.safetensors keeps.
inline nlohmann::json saved_options(const std::string& dir) {
  return nlohmann::json::parse(load_safetensors(dir + "/checkpoint.safetensors").metadata.at("options"));
}

}  // namespace ag::train::testing
