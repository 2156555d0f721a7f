// The text a run trains and validates on, turned into token ids: the built-in task's generated
// splits, or a parallel corpus read from files, with tokenizers trained (SentencePiece) or counted
// (characters, words) on the training side.
#pragma once
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ag/data/corpus.h"
#include "ag/data/dataset.h"
#include "language.h"
#include "options.h"

namespace seq2seq {

struct TrainingData {
  Language src, tgt;
  ag::data::Dataset train, valid;
  std::vector<ag::data::TextPair> valid_pairs;  // the validation text, for BLEU and exact match
  std::vector<ag::data::TextPair> test_pairs;   // the built-in task's held-out test set (empty for corpora)
};

// Reads or generates the text. Without `languages`, builds the tokenizers and vocabularies (a
// SentencePiece model is trained into, or copied to, `run_dir`); on --resume, pass the checkpoint's.
// Progress and filtering counts go to `log`.
TrainingData prepare_training_data(const DataOptions& options, const ModelConfig& model, uint64_t seed,
                                   const std::string& run_dir, std::optional<std::pair<Language, Language>> languages,
                                   std::ostream& log);

}  // namespace seq2seq
