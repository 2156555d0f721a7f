// Checks that every rank holds the same named tensors (names, dtypes, shapes), before anything is
// exchanged between them: ranks built from different configurations would otherwise all-reduce
// one model's gradients into another's, or wait forever for a bucket the other side never sends.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "ag/core/tensor.h"

namespace ag::distributed {

// Collective. Throws on every rank the same ag::Error, opened by `who`, naming the first entry where
// some rank differs from rank 0 and both ranks: "... rank 0 has fc.weight float32 (4, 3) but rank 1
// has fc.weight float32 (5, 3)". Costs one small all-gather when all agree.
void check_same_across_ranks(const std::string& who, const std::vector<std::pair<std::string, Tensor>>& named);

}  // namespace ag::distributed
