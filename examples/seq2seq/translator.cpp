// Batching sentences for the search, and text <-> ids around it.
#include "translator.h"

#include <algorithm>
#include <numeric>

#include "ag/core/factory.h"
#include "ag/data/vocab.h"

namespace seq2seq {

using ag::Tensor;

std::pair<Tensor, Tensor> pad_batch(const std::vector<const TokenIds*>& rows) {
  size_t width = 1;  // an empty sentence still gets one (padding) position, so shapes stay valid
  for (const TokenIds* row : rows) width = std::max(width, row->size());
  std::vector<int64_t> ids(rows.size() * width, ag::data::Vocab::kPad);
  std::vector<bool> padding(rows.size() * width, true);
  for (size_t r = 0; r < rows.size(); ++r)
    for (size_t i = 0; i < rows[r]->size(); ++i) {
      ids[r * width + i] = (*rows[r])[i];
      padding[r * width + i] = false;
    }
  const ag::Shape shape = {static_cast<int64_t>(rows.size()), static_cast<int64_t>(width)};
  return {ag::from_vector(ids, shape), ag::from_vector(padding, shape)};
}

Translator::Translator(Seq2SeqImpl& model, const Language& src, const Language& tgt, SearchOptions options,
                       int64_t batch_tokens)
    : model_(model), src_(src), tgt_(tgt), options_(options), batch_tokens_(batch_tokens) {}

std::vector<TokenIds> Translator::translate_ids(const std::vector<TokenIds>& sources) {
  std::vector<size_t> order(sources.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return sources[a].size() < sources[b].size(); });
  const bool was_training = model_.is_training();
  model_.eval();
  std::vector<TokenIds> outputs(sources.size());
  size_t begin = 0;
  while (begin < order.size()) {
    // Sorted by length, so the batch's widest sentence is its last; the output is budgeted like
    // the input. Each beam is a row of its own.
    size_t end = begin + 1;
    while (end < order.size() &&
           static_cast<int64_t>((end - begin + 1) * std::max<size_t>(sources[order[end]].size(), 1)) *
                   options_.beam_size <= batch_tokens_)
      ++end;
    std::vector<const TokenIds*> rows;
    for (size_t i = begin; i < end; ++i) rows.push_back(&sources[order[i]]);
    auto [src, padding] = pad_batch(rows);
    std::vector<TokenIds> batch = translate_batch(model_, src, padding, options_);
    for (size_t i = begin; i < end; ++i) outputs[order[i]] = std::move(batch[i - begin]);
    begin = end;
  }
  model_.train(was_training);
  return outputs;
}

std::vector<std::string> Translator::translate(const std::vector<std::string>& sentences) {
  std::vector<TokenIds> sources;
  sources.reserve(sentences.size());
  for (const auto& sentence : sentences) {
    sources.push_back(src_.encode(sentence));
    AG_CHECK(static_cast<int64_t>(sources.back().size()) <= model_.config.max_positions,
             "translate: sentence {} has {} tokens, but the model reads at most {}; split it into shorter sentences",
             sources.size(), sources.back().size(), model_.config.max_positions);
  }
  std::vector<std::string> outputs;
  outputs.reserve(sentences.size());
  for (const auto& ids : translate_ids(sources)) outputs.push_back(tgt_.decode(ids));
  return outputs;
}

}  // namespace seq2seq
