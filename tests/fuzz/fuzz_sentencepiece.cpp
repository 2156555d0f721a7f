// libFuzzer target: a SentencePiece model file from anywhere, loaded as ag loads one
// (ag::data::SentencePieceTokenizer), then used to encode and decode text (see docs/fuzzing.md).
//
// The input is [n][model file][n bytes of text]: its first byte says how many bytes at its end are
// the text, and what lies between is the model file. SentencePiece's own loader (a protobuf
// parser, then the model's checks) is the code under test. Every input must either give a
// tokenizer that encodes and decodes the text, or be refused with ag::Error; any other exception,
// a crash or a sanitizer report is a finding.
#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "ag/core/error.h"
#include "ag/data/sentencepiece_tokenizer.h"
#include "scratch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t text_size = std::min<size_t>(data[0], input.size());
  const std::string_view model = input.substr(0, input.size() - text_size);
  const std::string_view text = input.substr(input.size() - text_size);

  static const std::string path = ag::fuzz::scratch("spm.model");
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(model.data(), static_cast<std::streamsize>(model.size()));
  try {
    const ag::data::SentencePieceTokenizer spm(path);
    const ag::data::Vocab vocab = spm.vocab();
    const std::vector<std::string> pieces = spm.encode(text);
    spm.decode(pieces);
    const std::vector<int64_t> ids = spm.encode_ids(text, vocab);
    for (int64_t id : ids)
      if (id < 0 || id >= static_cast<int64_t>(vocab.size())) __builtin_trap();
    spm.decode_ids(ids, vocab);
  } catch (const ag::Error&) {
    // refused: what a damaged or foreign file must get
  }
  return 0;
}
