// Text in, text out: tokenizes sentences, batches them, runs the search (search.h) and detokenizes.
// Used by `seq2seq translate`, `seq2seq eval` and the validation during training.
#pragma once
#include <string>
#include <vector>

#include "language.h"
#include "search.h"

namespace seq2seq {

class Translator {
 public:
  // The model is put in eval mode for each call and restored to its previous mode after.
  Translator(Seq2SeqImpl& model, const Language& src, const Language& tgt, SearchOptions options,
             int64_t batch_tokens = 4096);

  // Translations in input order. Sentences are batched by length (sorted, then cut by the token
  // budget), so little of each batch is padding.
  std::vector<std::string> translate(const std::vector<std::string>& sentences);

  // The same for token ids (no <bos>/<eos>); what the text calls go through.
  std::vector<TokenIds> translate_ids(const std::vector<TokenIds>& sources);

  const SearchOptions& options() const { return options_; }

 private:
  Seq2SeqImpl& model_;
  const Language& src_;
  const Language& tgt_;
  SearchOptions options_;
  int64_t batch_tokens_;
};

// Pads token sequences into (B,S) ids and a (B,S) padding mask (true = padding).
std::pair<ag::Tensor, ag::Tensor> pad_batch(const std::vector<const TokenIds*>& rows);

}  // namespace seq2seq
