// Embedding: a lookup table of vectors, as torch.nn.Embedding. Parameter "weight"
// (num_embeddings, embedding_dim), initialised N(0, 1). With padding_idx, that row starts at zero
// and never receives a gradient, so padding tokens stay a zero vector through training.
// (PyTorch's max_norm, scale_grad_by_freq and sparse are not provided.)
#pragma once
#include <optional>

#include "ag/nn/module.h"

namespace ag::nn {

struct EmbeddingOptions {
  EmbeddingOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}
  AG_ARG(int64_t, num_embeddings);
  AG_ARG(int64_t, embedding_dim);
  // May be negative, counting from the end as in PyTorch (-1 is the last row).
  AG_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
};

class EmbeddingImpl : public Cloneable<EmbeddingImpl> {
 public:
  EmbeddingImpl(int64_t num_embeddings, int64_t embedding_dim)
      : EmbeddingImpl(EmbeddingOptions(num_embeddings, embedding_dim)) {}
  explicit EmbeddingImpl(const EmbeddingOptions& options);

  // int64 indices (...) -> (..., embedding_dim)
  Tensor forward(const Tensor& indices);
  void reset() override;    // registers weight, then reset_parameters()
  void reset_parameters();  // N(0, 1), then the padding row zeroed
  std::string extra_repr() const override;

  EmbeddingOptions options;  // padding_idx stored non-negative
  Tensor weight;
};
AG_MODULE(Embedding);

}  // namespace ag::nn
