// Padding examples into a Batch; see batch.h.
#include "ag/data/batch.h"

#include <algorithm>

#include "ag/core/error.h"
#include "ag/core/factory.h"
#include "ag/data/vocab.h"

namespace ag::data {
namespace {

// Writes `ids` into row `row` of a (rows, width) matrix of <pad>, marking the padding positions.
void fill_row(std::vector<int64_t>& matrix, std::vector<uint8_t>* padding, int64_t row, int64_t width,
              std::span<const int64_t> ids) {
  std::copy(ids.begin(), ids.end(), matrix.begin() + row * width);
  if (padding)
    std::fill(padding->begin() + row * width + static_cast<int64_t>(ids.size()), padding->begin() + (row + 1) * width,
              uint8_t{1});
}

Tensor mask_tensor(const std::vector<uint8_t>& mask, int64_t rows, int64_t cols) {
  return from_vector(std::vector<bool>(mask.begin(), mask.end()), {rows, cols});
}

}  // namespace

Batch make_batch(const Dataset& dataset, std::span<const size_t> indices) {
  AG_CHECK(!indices.empty(), "make_batch: a batch needs at least one example");
  Batch b;
  b.size = static_cast<int64_t>(indices.size());
  b.indices.assign(indices.begin(), indices.end());
  for (size_t i : indices) {
    const Example& e = dataset.get(i);
    b.src_len = std::max(b.src_len, static_cast<int64_t>(e.src.size()));
    b.tgt_len = std::max(b.tgt_len, static_cast<int64_t>(e.tgt.size()) + 1);
  }
  b.src.assign(b.size * b.src_len, Vocab::kPad);
  b.tgt_in.assign(b.size * b.tgt_len, Vocab::kPad);
  b.tgt_out.assign(b.size * b.tgt_len, Vocab::kPad);
  b.src_padding.assign(b.src.size(), 0);
  b.tgt_padding.assign(b.tgt_in.size(), 0);
  std::vector<int64_t> shifted;
  for (int64_t row = 0; row < b.size; ++row) {
    const Example& e = dataset.get(indices[row]);
    fill_row(b.src, &b.src_padding, row, b.src_len, e.src);
    shifted.assign(1, Vocab::kBos);
    shifted.insert(shifted.end(), e.tgt.begin(), e.tgt.end());
    fill_row(b.tgt_in, &b.tgt_padding, row, b.tgt_len, shifted);
    shifted.erase(shifted.begin());
    shifted.push_back(Vocab::kEos);
    fill_row(b.tgt_out, nullptr, row, b.tgt_len, shifted);
    b.num_tgt_tokens += static_cast<int64_t>(shifted.size());
  }
  return b;
}

Tensor Batch::src_tensor() const { return from_vector(src, {size, src_len}); }
Tensor Batch::tgt_in_tensor() const { return from_vector(tgt_in, {size, tgt_len}); }
Tensor Batch::tgt_out_tensor() const { return from_vector(tgt_out, {size, tgt_len}); }
Tensor Batch::src_padding_mask() const { return mask_tensor(src_padding, size, src_len); }
Tensor Batch::tgt_padding_mask() const { return mask_tensor(tgt_padding, size, tgt_len); }

}  // namespace ag::data
