// Dataset: the examples a DataLoader batches, each a pair of id sequences (source, target).
//
//   auto data = ag::data::Dataset::encode(corpus.pairs, chars, src_vocab, chars, tgt_vocab);
//   data.size();   data.get(0).src;   // {17, 5, 9}
//
// Targets are stored bare: the loader adds <bos> and <eos> when it builds a batch, so one Dataset
// serves teacher forcing and evaluation alike.
#pragma once
#include <cstdint>
#include <vector>

#include "ag/data/corpus.h"
#include "ag/data/tokenizer.h"
#include "ag/data/vocab.h"

namespace ag::data {

struct Example {
  std::vector<int64_t> src;
  std::vector<int64_t> tgt;
};

class Dataset {
 public:
  Dataset() = default;
  explicit Dataset(std::vector<Example> examples) : examples_(std::move(examples)) {}

  // Tokenizes both sides of every pair and maps the pieces to ids (unknown pieces become <unk>).
  static Dataset encode(const std::vector<TextPair>& pairs, const Tokenizer& src_tokenizer, const Vocab& src_vocab,
                        const Tokenizer& tgt_tokenizer, const Vocab& tgt_vocab);

  size_t size() const { return examples_.size(); }
  const Example& get(size_t index) const;
  void add(Example example) { examples_.push_back(std::move(example)); }

 private:
  std::vector<Example> examples_;
};

}  // namespace ag::data
