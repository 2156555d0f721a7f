// Dataset construction; see dataset.h.
#include "ag/data/dataset.h"

#include "ag/core/error.h"

namespace ag::data {

Dataset Dataset::encode(const std::vector<TextPair>& pairs, const Tokenizer& src_tokenizer, const Vocab& src_vocab,
                        const Tokenizer& tgt_tokenizer, const Vocab& tgt_vocab) {
  std::vector<Example> examples;
  examples.reserve(pairs.size());
  for (const auto& pair : pairs) {
    examples.push_back({src_tokenizer.encode_ids(pair.src, src_vocab), tgt_tokenizer.encode_ids(pair.tgt, tgt_vocab)});
  }
  return Dataset(std::move(examples));
}

const Example& Dataset::get(size_t index) const {
  AG_CHECK(index < examples_.size(), "Dataset::get: index {} is out of range for a dataset of {} examples", index,
           examples_.size());
  return examples_[index];
}

}  // namespace ag::data
