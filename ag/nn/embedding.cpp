// Embedding (see embedding.h). The gather and its scatter-add backward are core's ag::embedding.
#include "ag/nn/embedding.h"

#include "ag/core/autograd/grad_mode.h"
#include "ag/core/factory.h"
#include "ag/core/ops.h"
#include "ag/nn/init.h"

namespace ag::nn {

EmbeddingImpl::EmbeddingImpl(const EmbeddingOptions& options_) : Cloneable("Embedding"), options(options_) {
  const int64_t num = options.num_embeddings();
  AG_CHECK(num > 0 && options.embedding_dim() > 0,
           "Embedding: num_embeddings and embedding_dim must be positive, got {} and {}", num,
           options.embedding_dim());
  if (auto& pad = options.padding_idx()) {
    AG_CHECK(*pad >= -num && *pad < num, "Embedding: padding_idx {} is out of range for {} embeddings", *pad, num);
    if (*pad < 0) *pad += num;
  }
  reset();
}

void EmbeddingImpl::reset() {
  weight = register_parameter("weight", empty({options.num_embeddings(), options.embedding_dim()}));
  reset_parameters();
}

void EmbeddingImpl::reset_parameters() {
  init::normal_(weight);
  if (options.padding_idx()) init::zeros_(weight.select(0, *options.padding_idx()));
}

Tensor EmbeddingImpl::forward(const Tensor& indices) {
  Tensor out = embedding(weight, indices);
  if (!options.padding_idx() || !out.requires_grad()) return out;
  // Same values, but positions holding padding_idx pass their gradient to the detached copy, so
  // the padding row of weight receives none (PyTorch skips that row in embedding_backward).
  Tensor is_pad = eq(indices, full({}, static_cast<double>(*options.padding_idx()), kInt64)).unsqueeze(-1);
  return where(is_pad, out.detach(), out);
}

std::string EmbeddingImpl::extra_repr() const {
  std::string repr = fmt::format("{}, {}", options.num_embeddings(), options.embedding_dim());
  if (options.padding_idx()) repr += fmt::format(", padding_idx={}", *options.padding_idx());
  return repr;
}

}  // namespace ag::nn
