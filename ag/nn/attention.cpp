// MultiheadAttention: project, split into heads, attend, merge heads, project back.
#include "ag/nn/attention.h"

#include "ag/core/factory.h"
#include "ag/core/ops.h"
#include "ag/nn/functional/attention.h"
#include "ag/nn/functional/linear.h"
#include "ag/nn/init.h"

namespace ag::nn {

namespace F = functional;

namespace {

// (L,B,H,D) -> (B,H,L,D), or (B,L,H,D) -> (B,H,L,D) with batch_first: a view, no copy.
Tensor heads_first(const Tensor& x, bool batch_first) {
  return batch_first ? x.permute({0, 2, 1, 3}) : x.permute({1, 2, 0, 3});
}

// (B,H,L,D) -> (L,B,E), or (B,L,E) with batch_first: the heads side by side again.
Tensor merge_heads(const Tensor& x, bool batch_first) {
  const int64_t B = x.size(0), L = x.size(2), E = x.size(1) * x.size(3);
  return batch_first ? x.permute({0, 2, 1, 3}).reshape({B, L, E}) : x.permute({2, 0, 1, 3}).reshape({L, B, E});
}

}  // namespace

void KVCache::reorder(const Tensor& index) {
  if (!key.defined()) return;  // nothing cached yet
  key = index_select(key, 0, index);
  value = index_select(value, 0, index);
}

MultiheadAttentionImpl::MultiheadAttentionImpl(MultiheadAttentionOptions opts)
    : Cloneable("MultiheadAttention"), options(opts) {
  const int64_t E = options.embed_dim(), H = options.num_heads();
  AG_CHECK(E > 0 && H > 0 && E % H == 0,
           "MultiheadAttention: embed_dim ({}) must be positive and divisible by num_heads ({})", E, H);
  reset();
}

void MultiheadAttentionImpl::reset() {
  const int64_t E = options.embed_dim(), H = options.num_heads();
  if (options.kdim() == E && options.vdim() == E) {
    in_proj_weight = register_parameter("in_proj_weight", empty({3 * E, E}));
  } else {
    q_proj_weight = register_parameter("q_proj_weight", empty({E, E}));
    k_proj_weight = register_parameter("k_proj_weight", empty({E, options.kdim()}));
    v_proj_weight = register_parameter("v_proj_weight", empty({E, options.vdim()}));
  }
  if (options.bias()) in_proj_bias = register_parameter("in_proj_bias", empty({3 * E}));
  out_proj = register_module("out_proj", Linear(LinearOptions(E, E).bias(options.bias())));
  if (options.relative_position())
    relative_attention_bias =
        register_module("relative_attention_bias", RelativePositionBias(*options.relative_position(), H));
  reset_parameters();
}

void MultiheadAttentionImpl::reset_parameters() {
  for (const Tensor& w : {in_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight})
    if (w.defined()) init::xavier_uniform_(w);
  if (in_proj_bias.defined()) {
    init::zeros_(in_proj_bias);
    init::zeros_(out_proj->bias);
  }
}

Tensor MultiheadAttentionImpl::project(const Tensor& x, int64_t which) const {
  const int64_t E = options.embed_dim();
  const Tensor& own = which == 0 ? q_proj_weight : which == 1 ? k_proj_weight : v_proj_weight;
  Tensor weight = packed() ? in_proj_weight.narrow(0, which * E, E) : own;
  Tensor bias = in_proj_bias.defined() ? in_proj_bias.narrow(0, which * E, E) : Tensor();
  return F::linear(x, weight, bias);
}

Tensor MultiheadAttentionImpl::combined_bias(const Tensor& key_padding_mask, const Tensor& attn_mask, int64_t B,
                                             int64_t L, int64_t S, Dtype dtype) {
  const int64_t H = options.num_heads();
  auto as_bias = [dtype](const Tensor& mask, const char* name) {
    if (mask.dtype() == kBool) return F::mask_to_bias(mask, dtype);  // true = not allowed -> -inf
    AG_CHECK(mask.dtype() == dtype, "MultiheadAttention: {} must be bool or {} like the query, got {}", name,
             dtype_name(dtype), dtype_name(mask.dtype()));
    return mask;
  };
  Tensor total;  // undefined while nothing is masked
  auto add_term = [&total](const Tensor& term) { total = total.defined() ? total + term : term; };
  if (attn_mask.defined()) {
    const bool per_head = attn_mask.dim() == 3;
    AG_CHECK(attn_mask.sizes() == Shape({L, S}) || attn_mask.sizes() == Shape({B * H, L, S}),
             "MultiheadAttention: attn_mask is {}, but should be (L,S) = ({}, {}) or (B*num_heads,L,S) = ({}, {}, {})",
             shape_str(attn_mask.sizes()), L, S, B * H, L, S);
    Tensor bias = as_bias(attn_mask, "attn_mask");
    add_term(per_head ? bias.reshape({B, H, L, S}) : bias);
  }
  if (key_padding_mask.defined()) {
    AG_CHECK(key_padding_mask.sizes() == Shape({B, S}),
             "MultiheadAttention: key_padding_mask is {}, but should be (B,S) = ({}, {})",
             shape_str(key_padding_mask.sizes()), B, S);
    add_term(as_bias(key_padding_mask, "key_padding_mask").reshape({B, 1, 1, S}));
  }
  if (relative_attention_bias) add_term(relative_attention_bias(L, S));  // (H,L,S)
  return total;
}

std::tuple<Tensor, Tensor> MultiheadAttentionImpl::forward(const Tensor& query, const Tensor& key,
                                                           const Tensor& value, const Tensor& key_padding_mask,
                                                           bool need_weights, const Tensor& attn_mask,
                                                           bool average_attn_weights) {
  AG_CHECK(key.defined() && value.defined(),
           "MultiheadAttention: key and value must be defined (for self-attention pass the query three times)");
  KVCache fresh;  // a whole sequence at once is one step of incremental decoding from nothing
  return forward_cached(query, key, value, fresh, key_padding_mask, need_weights, attn_mask, average_attn_weights);
}

std::tuple<Tensor, Tensor> MultiheadAttentionImpl::forward_cached(const Tensor& query, const Tensor& key,
                                                                  const Tensor& value, KVCache& cache,
                                                                  const Tensor& key_padding_mask, bool need_weights,
                                                                  const Tensor& attn_mask,
                                                                  bool average_attn_weights) {
  const int64_t E = options.embed_dim(), H = options.num_heads(), D = E / H;
  const bool bf = options.batch_first();
  const int64_t batch_dim = bf ? 0 : 1, time_dim = bf ? 1 : 0;
  AG_CHECK(query.defined() && (query.dim() == 2 || query.dim() == 3) && query.size(-1) == E,
           "MultiheadAttention: query must be {} or unbatched (L,E) with E = embed_dim = {}; got {}",
           bf ? "(B,L,E)" : "(L,B,E)", E, query.defined() ? shape_str(query.sizes()) : "undefined");
  AG_CHECK(key.defined() == value.defined(), "MultiheadAttention: give both key and value, or neither");
  // Unbatched inputs get a batch of one, taken off again at the end.
  const bool unbatched = query.dim() == 2;
  auto batched = [&](const Tensor& t) { return unbatched && t.defined() ? t.unsqueeze(batch_dim) : t; };
  const Tensor q_in = batched(query), k_in = batched(key), v_in = batched(value);
  const Tensor padding = unbatched && key_padding_mask.defined() ? key_padding_mask.unsqueeze(0) : key_padding_mask;
  const int64_t B = q_in.size(batch_dim), L = q_in.size(time_dim);
  auto split = [&](const Tensor& x) { return x.reshape({x.size(0), x.size(1), H, D}); };  // (..,E) -> (..,H,D)

  // Three projections, also for self-attention with the packed (3E,E) weight: one gemm into (N,3E)
  // would slice q, k and v out as views, and backward would then build three zero-filled (N,3E)
  // gradients and add them. Apart, each gradient is just the (N,E) its gemm needs.
  Tensor q = heads_first(split(project(q_in, 0)), bf), k, v;  // (B,H,L,D)
  if (key.defined()) {
    AG_CHECK(k_in.dim() == 3 && v_in.dim() == 3 && k_in.size(batch_dim) == B && v_in.size(batch_dim) == B &&
                 k_in.size(time_dim) == v_in.size(time_dim) && k_in.size(-1) == options.kdim() &&
                 v_in.size(-1) == options.vdim(),
             "MultiheadAttention: key {} and value {} must be {} and {} with the query's batch of {} and the same S",
             shape_str(key.sizes()), shape_str(value.sizes()), bf ? "(B,S,kdim)" : "(S,B,kdim)",
             bf ? "(B,S,vdim)" : "(S,B,vdim)", B);
    k = heads_first(split(project(k_in, 1)), bf), v = heads_first(split(project(v_in, 2)), bf);
  }
  if (k.defined()) {
    cache.key = cache.key.defined() ? cat({cache.key, k}, 2) : k;
    cache.value = cache.value.defined() ? cat({cache.value, v}, 2) : v;
  }
  AG_CHECK(cache.size() > 0, "MultiheadAttention: key and value are undefined and the cache is empty; pass them on "
           "the first step to fill the cache");
  AG_CHECK(cache.key.size(0) == B, "MultiheadAttention: the cache holds a batch of {} but the query has {}; "
           "after choosing beams, call cache.reorder(index)", cache.key.size(0), B);
  const int64_t S = cache.size();

  Tensor bias = combined_bias(padding, attn_mask, B, L, S, q.dtype());
  auto [attended, weights] = F::scaled_dot_product_attention_with_weights(
      q, cache.key, cache.value, bias, is_training() ? options.dropout() : 0.0);  // (B,H,L,D), (B,H,L,S)
  Tensor out = out_proj(merge_heads(attended, bf));
  if (!need_weights) weights = Tensor();
  else if (average_attn_weights) weights = mean(weights, {1});  // (B,L,S)
  if (unbatched) {
    out = out.squeeze(batch_dim);
    if (weights.defined()) weights = weights.squeeze(0);
  }
  return {out, weights};
}

std::string MultiheadAttentionImpl::extra_repr() const {
  return fmt::format("embed_dim={}, num_heads={}, dropout={}, bias={}, batch_first={}", options.embed_dim(),
                     options.num_heads(), options.dropout(), options.bias(), options.batch_first());
}

}  // namespace ag::nn
