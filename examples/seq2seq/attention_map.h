// Where the decoder looks: the cross-attention weights of one sentence pair, for a heat map.
#pragma once
#include <string>
#include <vector>

#include "language.h"
#include "model.h"
#include "search.h"

namespace seq2seq {

struct AttentionMap {
  std::vector<std::string> source_tokens;  // the source pieces
  std::vector<std::string> target_tokens;  // the output pieces, then "<eos>"
  std::vector<float> weights;              // (target x source), row-major; each row sums to 1
};

// The last decoder layer's cross-attention, averaged over heads, while the model reads `output`
// (a translation of `source`, e.g. from translate_batch) under teacher forcing.
AttentionMap cross_attention_map(Seq2SeqImpl& model, const Language& src, const Language& tgt,
                                 const TokenIds& source, const TokenIds& output);

// Writes the map as an SVG heat map.
void write_attention_svg(const std::string& path, const AttentionMap& map, const std::string& title);

}  // namespace seq2seq
