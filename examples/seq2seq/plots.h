// The attention heat map, a picture a person can open in any browser, drawn as SVG by hand (no
// plotting dependency). The loss curve is the training kit's (ag/train/plot.h).
#pragma once
#include <string>
#include <vector>

namespace seq2seq {

// A heat map of attention weights (rows = target tokens, columns = source tokens; each row sums to
// 1), darker for more attention. `weights` is row-major (rows x columns).
std::string attention_svg(const std::vector<float>& weights, const std::vector<std::string>& source_tokens,
                          const std::vector<std::string>& target_tokens, const std::string& title);

}  // namespace seq2seq
