// Reading the cross-attention weights out of the last decoder layer.
#include "attention_map.h"

#include "ag/core/autograd/grad_mode.h"
#include "ag/core/factory.h"
#include "ag/core/serialize.h"
#include "ag/data/vocab.h"
#include "plots.h"
#include "translator.h"

namespace seq2seq {

using ag::Tensor;
using ag::data::Vocab;
namespace nn = ag::nn;

AttentionMap cross_attention_map(Seq2SeqImpl& model, const Language& src, const Language& tgt,
                                 const TokenIds& source, const TokenIds& output) {
  ag::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  TokenIds tgt_in = {Vocab::kBos};
  tgt_in.insert(tgt_in.end(), output.begin(), output.end());
  auto [src_ids, src_padding] = pad_batch({&source});
  const Tensor memory = model.encode(src_ids, src_padding);
  const auto T = static_cast<int64_t>(tgt_in.size());
  const Tensor causal = nn::generate_square_subsequent_mask(T);
  Tensor x = model.embed_target(ag::from_vector(tgt_in, {1, T}), 0);

  // Every layer but the last as usual; the last also returns its cross-attention weights.
  auto& layers = model.transformer->decoder->layers;
  const size_t last = layers->size() - 1;
  for (size_t i = 0; i < last; ++i)
    x = layers->ptr<nn::TransformerDecoderLayerImpl>(i)->forward(x, memory, causal, {}, {}, src_padding);
  const Tensor weights = std::get<1>(layers->ptr<nn::TransformerDecoderLayerImpl>(last)->forward_with_cross_attention(
      x, memory, causal, {}, {}, src_padding));  // (1,T,S)
  model.train(was_training);

  AttentionMap map;
  map.weights = weights.contiguous().to_vector<float>();
  for (int64_t id : source) map.source_tokens.push_back(src.vocab.piece(id));
  for (int64_t id : output) map.target_tokens.push_back(tgt.vocab.piece(id));
  map.target_tokens.emplace_back(Vocab::kEosPiece);  // the last row: where it looked to decide to stop
  return map;
}

void write_attention_svg(const std::string& path, const AttentionMap& map, const std::string& title) {
  ag::write_file_atomically(path, attention_svg(map.weights, map.source_tokens, map.target_tokens, title));
}

}  // namespace seq2seq
