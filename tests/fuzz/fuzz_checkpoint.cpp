// libFuzzer target: what `train --resume DIR` reads from a run directory before it builds anything
// (see docs/fuzzing.md). A run directory may come from anyone, and a checkpoint's metadata is JSON
// that a person can edit: its settings, its training state, its vocabularies.
//
// The input is [k][file]: k picks the reader, the rest is the file it reads.
//   k % 5 == 0  seq2seq::read_checkpoint: the kit's Checkpoint::load (safetensors, format, state,
//               loss history), seq2seq's state, both vocabularies (SentencePiece models resolved in
//               the run directory) and its TrainOptions; then the saved loader position is
//               restored into a DataLoader over a dataset of the size it names (up to 64 examples)
//               and the saved generator state into a Generator, as Checkpoint::restore would
//   k % 5 == 1  gpt: Checkpoint::load, gpt::saved_train_options (ranges, then TrainOptions), its codec
//   k % 5 == 2  classify: Checkpoint::load, classify::saved_train_options (ranges, then TrainOptions)
//   k % 5 == 3  forecast: Checkpoint::load, forecast::saved_train_options (ranges, then TrainOptions)
//   k % 5 == 4  metrics.jsonl, as MetricsLog reads it on resume, keeping entries through step k / 5
// Every input must either be read or be refused with ag::Error; any other exception, a crash or a
// sanitizer report is a finding. A checkpoint that loads must have one loss per step; a log keeps
// only objects whose integer "step" is at most the checkpoint's.
#include <filesystem>
#include <fstream>
#include <string>

#include "ag/core/error.h"
#include "ag/core/generator.h"
#include "ag/data/data_loader.h"
#include "ag/train/checkpoint.h"
#include "ag/train/metrics_log.h"
#include "examples/classify/train.h"
#include "examples/forecast/train.h"
#include "examples/gpt/options.h"
#include "examples/gpt/train.h"
#include "examples/gpt/weights.h"
#include "examples/seq2seq/checkpoint.h"
#include "scratch.h"

namespace {

namespace fs = std::filesystem;
namespace kit = ag::train;

// The formats the programs write (their train.cpp); a file of another format is refused first.
const kit::FileFormat kGpt{"ag-gpt-checkpoint-1", "gpt"};
const kit::FileFormat kClassify{"ag-classify-checkpoint-1", "classify"};
const kit::FileFormat kForecast{"ag-forecast-checkpoint-1", "forecast"};

// The property every checkpoint that loads must have: one training loss per step.
const kit::Checkpoint& checked(const kit::Checkpoint& saved) {
  if (saved.state().train_losses.size() != static_cast<size_t>(saved.state().step)) __builtin_trap();
  return saved;
}

kit::Checkpoint load(const std::string& path, const kit::FileFormat& format) {
  return checked(kit::Checkpoint::load(path, format));
}

// What Checkpoint::restore and the trainer do with the saved positions, without a model.
void restore_positions(const kit::Checkpoint& saved) {
  const ag::data::LoaderPosition& position = saved.state().loader;
  if (position.dataset_size <= 64) {
    ag::data::Dataset dataset;
    for (size_t i = 0; i < position.dataset_size; ++i)
      dataset.add({std::vector<int64_t>(1 + i % 5, 4), std::vector<int64_t>(1 + i % 3, 5)});
    ag::data::DataLoader loader(dataset, {.batch_size = 4});
    loader.restore(position);
    loader.next();
  }
  const nlohmann::json state = saved.file().json_field("state");
  ag::Generator generator;
  generator.set_state(state.at("generator_state").get<std::string>());
}

void read(unsigned k, const std::string& dir, const std::string& file) {
  switch (k % 5) {
    case 0: {
      const seq2seq::SavedCheckpoint saved = seq2seq::read_checkpoint(dir);
      restore_positions(checked(saved.checkpoint));
      break;
    }
    case 1: {
      const kit::Checkpoint saved = load(file, kGpt);
      const gpt::TrainOptions options = gpt::saved_train_options(saved.options(), file + ": options");
      if (options.tokenizer != "char") gpt::load_codec(saved.file(), dir);
      break;
    }
    case 2:
      classify::saved_train_options(load(file, kClassify).options(), file + ": options");
      break;
    case 3:
      forecast::saved_train_options(load(file, kForecast).options(), file + ": options");
      break;
    default: {
      const kit::MetricsLog log(file, k / 5);
      const int64_t kept_through = k / 5;
      for (const nlohmann::json& entry : log.entries())
        if (!entry.is_object() || !entry.contains("step") || !entry.at("step").is_number_integer() ||
            entry.at("step").get<int64_t>() > kept_through)
          __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The run directory, emptied for each input (a SentencePiece model the checkpoint names is looked
  // for here, and must not be one an earlier input left).
  static const std::string dir = ag::fuzz::scratch("run");
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  fs::create_directories(dir);
  const unsigned k = data[0];
  const std::string file = (fs::path(dir) / (k % 5 == 4 ? "metrics.jsonl" : seq2seq::kCheckpointFile)).string();
  std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(data) + 1, static_cast<std::streamsize>(size - 1));
  try {
    read(k, dir, file);
  } catch (const ag::Error&) {
    // refused: what a damaged or foreign file must get
  }
  return 0;
}
