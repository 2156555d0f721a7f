// Validation: how well the model does on held-out pairs, as the loss it was trained on and as the
// scores people report (exact match, BLEU, chrF), from greedy translations.
#pragma once
#include <string>
#include <vector>

#include "ag/data/corpus.h"
#include "ag/data/dataset.h"
#include "language.h"
#include "model.h"

namespace seq2seq {

// Cross-entropy per target token (no label smoothing: the model's true perplexity is its exp),
// with the model in eval mode and gradients off.
double mean_token_loss(Seq2SeqImpl& model, const ag::data::Dataset& dataset, int64_t batch_tokens);

struct Evaluation {
  double loss = 0;
  double exact_match = 0;  // fraction 0..1
  double bleu = 0;         // 0..100, sacreBLEU's defaults
  double chrf = 0;         // 0..100, chrF2
  std::vector<std::string> hypotheses;
};

// Translates every source of `pairs` greedily and scores it against its target; `dataset` holds
// the same pairs as ids, for the loss.
Evaluation evaluate(Seq2SeqImpl& model, const Language& src, const Language& tgt, const ag::data::Dataset& dataset,
                    const std::vector<ag::data::TextPair>& pairs, int64_t batch_tokens);

}  // namespace seq2seq
