// The weights file: model.safetensors, under nanoGPT's parameter names (see model.h), with what
// generation needs in its metadata:
//   "format": "ag-gpt"   "config": the ModelConfig as JSON   "vocab": the pieces, in id order
//   after the four specials, as a JSON list   "tokenizer": how text becomes those pieces
//   (Codec::describe(): {"kind": "char"}, or {"kind": "bpe", "model": "tokenizer.model"}, the
//   SentencePiece model beside the file)   "info": anything the trainer adds (step, losses)
// so one file (with its SentencePiece model, if any) samples on its own, and to_torch.py loads a
// character model into PyTorch.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "ag/core/serialize.h"
#include "ag/train/checkpoint.h"
#include "codec.h"
#include "model.h"

namespace gpt {

// The metadata fields that describe `codec`: "vocab" and "tokenizer" (also in the checkpoint).
ag::Metadata codec_metadata(const Codec& codec);

// The codec a checkpoint in the run directory `dir` was trained with (see Codec::load).
Codec load_codec(const ag::train::SavedFile& checkpoint, const std::string& dir);

void save_model(const std::string& path, const GPTImpl& model, const Codec& codec, const nlohmann::json& info = {});

struct LoadedModel {
  GPT model{nullptr};
  Codec codec;
  nlohmann::json info;
};
// `path` is a weights file or a directory holding model.safetensors. A file that is not ag-gpt's,
// whose settings are out of range (bounds.h) or do not describe its weights, or whose SentencePiece
// model is not beside it, is refused with a message naming it.
LoadedModel load_model(const std::string& path);

}  // namespace gpt
