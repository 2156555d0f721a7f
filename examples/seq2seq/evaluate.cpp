// Validation loss and translation scores.
#include "evaluate.h"

#include "ag/core/autograd/grad_mode.h"
#include "ag/data/bleu.h"
#include "ag/data/chrf.h"
#include "ag/data/data_loader.h"
#include "ag/data/metrics.h"
#include "ag/data/vocab.h"
#include "ag/nn/functional/loss.h"
#include "translator.h"

namespace seq2seq {

double mean_token_loss(Seq2SeqImpl& model, const ag::data::Dataset& dataset, int64_t batch_tokens) {
  ag::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  ag::data::DataLoader loader(dataset, {.max_tokens = static_cast<size_t>(batch_tokens), .shuffle = false});
  double total = 0;
  int64_t tokens = 0;
  while (auto batch = loader.next()) {
    const ag::Tensor logits = model.forward(batch->src_tensor(), batch->src_padding_mask(), batch->tgt_in_tensor());
    total += ag::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}),
                                               batch->tgt_out_tensor().reshape({-1}), ag::data::Vocab::kPad, 0.0, "sum")
                 .item();
    tokens += batch->num_tgt_tokens;
  }
  model.train(was_training);
  return tokens > 0 ? total / static_cast<double>(tokens) : 0.0;
}

Evaluation evaluate(Seq2SeqImpl& model, const Language& src, const Language& tgt, const ag::data::Dataset& dataset,
                    const std::vector<ag::data::TextPair>& pairs, int64_t batch_tokens) {
  Evaluation e;
  e.loss = mean_token_loss(model, dataset, batch_tokens);
  std::vector<std::string> sources, references;
  for (const auto& pair : pairs) {
    sources.push_back(pair.src);
    references.push_back(tgt.normalize(pair.tgt));  // a lowercasing run is scored on lowercased text
  }
  Translator translator(model, src, tgt, SearchOptions{}, batch_tokens);
  e.hypotheses = translator.translate(sources);
  e.exact_match = ag::data::exact_match(e.hypotheses, references);
  e.bleu = ag::data::corpus_bleu(e.hypotheses, {references}).score;
  e.chrf = ag::data::corpus_chrf(e.hypotheses, {references}).score;
  return e;
}

}  // namespace seq2seq
