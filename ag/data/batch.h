// Batch: a group of examples padded into rectangles, ready for nn::Transformer.
//
// With B examples, S the longest source and T the longest target plus one:
//   src      (B,S)  source ids, padded with <pad> = 0
//   tgt_in   (B,T)  <bos> + target: what the decoder reads (teacher forcing)
//   tgt_out  (B,T)  target + <eos>: what the decoder must predict at each position
//   src_padding, tgt_padding  (B,S), (B,T)  1 where the position is padding
// The masks follow PyTorch's key_padding_mask convention (true = ignore this position). Everything
// is stored row-major in plain vectors; the *_tensor() accessors wrap them as ag::Tensor.
//
//   src    = [[5, 6, 7],    tgt_in  = [[2, 8, 9],    tgt_out = [[8, 9, 3],
//             [5, 0, 0]]               [2, 8, 0]]               [8, 3, 0]]
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "ag/core/tensor.h"
#include "ag/data/dataset.h"

namespace ag::data {

struct Batch {
  int64_t size = 0;     // B
  int64_t src_len = 0;  // S
  int64_t tgt_len = 0;  // T
  std::vector<int64_t> src;
  std::vector<int64_t> tgt_in;
  std::vector<int64_t> tgt_out;
  std::vector<uint8_t> src_padding;
  std::vector<uint8_t> tgt_padding;
  std::vector<size_t> indices;  // the dataset index of each row
  int64_t num_tgt_tokens = 0;   // non-padding positions of tgt_out: what a per-token loss averages over

  Tensor src_tensor() const;        // (B,S) int64
  Tensor tgt_in_tensor() const;     // (B,T) int64
  Tensor tgt_out_tensor() const;    // (B,T) int64
  Tensor src_padding_mask() const;  // (B,S) bool, true = padding
  Tensor tgt_padding_mask() const;  // (B,T) bool, true = padding
};

// Pads the examples at `indices` (in that order) into one Batch.
Batch make_batch(const Dataset& dataset, std::span<const size_t> indices);

}  // namespace ag::data
