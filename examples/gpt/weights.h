// The weights file: model.safetensors, under nanoGPT's parameter names (see model.h), with what
// generation needs in its metadata:
//   "format": "ag-gpt"   "config": the ModelConfig as JSON   "vocab": the characters, in id order
//   after the four specials, as a JSON list   "info": anything the trainer adds (step, losses)
// so one file samples on its own, and to_torch.py loads it into PyTorch.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "corpus.h"
#include "model.h"

namespace gpt {

void save_model(const std::string& path, const GPTImpl& model, const CharCodec& codec, const nlohmann::json& info = {});

struct LoadedModel {
  GPT model{nullptr};
  CharCodec codec;
  nlohmann::json info;
};
// `path` is a weights file or a directory holding model.safetensors. A file that is not ag-gpt's or
// does not fit the model its metadata describes is refused with a message naming it.
LoadedModel load_model(const std::string& path);

}  // namespace gpt
