// Positional encodings: the fixed sinusoid table, the learned table, and T5's relative position bias.
#include "ag/nn/positional.h"

#include <cmath>
#include <vector>

#include "ag/core/factory.h"
#include "ag/core/ops.h"
#include "ag/nn/init.h"

namespace ag::nn {

namespace {

// x + table[offset : offset + T], the (T,E) rows broadcast over the batch wherever x keeps it.
Tensor add_positions(const Tensor& x, const Tensor& table, int64_t offset, bool batch_first, const char* who) {
  AG_CHECK(x.defined() && (x.dim() == 2 || x.dim() == 3),
           "{}: expected x of shape (T,B,E), (B,T,E) with batch_first, or unbatched (T,E); got {}", who,
           x.defined() ? shape_str(x.sizes()) : "an undefined tensor");
  AG_CHECK(x.size(-1) == table.size(1), "{}: x has {} features in its last dim but the module was built for d_model={}",
           who, x.size(-1), table.size(1));
  const int64_t steps = x.size(x.dim() == 3 && batch_first ? 1 : 0);
  const int64_t last = offset > INT64_MAX - steps ? INT64_MAX : offset + steps - 1;  // for the message only
  AG_CHECK(offset >= 0 && offset <= table.size(0) - steps,
           "{}: positions {}..{} are beyond max_len={}; build the module with a larger max_len", who, offset, last,
           table.size(0));
  Tensor rows = table.narrow(0, offset, steps);  // (T,E)
  if (x.dim() == 3 && !batch_first) rows = rows.unsqueeze(1);  // (T,1,E) against (T,B,E)
  return x + rows;
}

// Checks that a (max_len, d_model) table has a representable size that fits in memory, so an absurd
// max_len (from a flag or a model file's metadata) is an error naming the module, not a crash.
void check_table_size(int64_t max_len, int64_t d_model, const char* who) {
  AG_CHECK(max_len > 0 && d_model > 0, "{}: max_len ({}) and d_model ({}) must be positive", who, max_len, d_model);
  const std::string what = fmt::format("{} with max_len={} and d_model={}", who, max_len, d_model);
  check_fits_in_memory(checked_nbytes(checked_mul(max_len, d_model, what), sizeof(float), what), what);
}

}  // namespace

SinusoidalPositionalEncodingImpl::SinusoidalPositionalEncodingImpl(SinusoidalPositionalEncodingOptions opts)
    : Module("SinusoidalPositionalEncoding"), options(opts) {
  const int64_t d = options.d_model(), max_len = options.max_len();
  check_table_size(max_len, d, "SinusoidalPositionalEncoding");
  Tensor pe_table = empty({max_len, d});
  float* table = pe_table.data_ptr<float>();
  for (int64_t pos = 0; pos < max_len; ++pos)
    for (int64_t i = 0; i < d; ++i) {
      // Dims 2j and 2j+1 share the frequency 1 / 10000^(2j/d): wavelengths from 2 pi to 10000 * 2 pi.
      const double angle = pos * std::exp(-std::log(10000.0) * static_cast<double>(i - i % 2) / d);
      table[pos * d + i] = static_cast<float>(i % 2 == 0 ? std::sin(angle) : std::cos(angle));
    }
  pe = register_buffer("pe", pe_table);
}

Tensor SinusoidalPositionalEncodingImpl::forward(const Tensor& x, int64_t offset) {
  return dropout(add_positions(x, pe, offset, options.batch_first(), "SinusoidalPositionalEncoding"),
                 options.dropout(), is_training());
}

std::string SinusoidalPositionalEncodingImpl::extra_repr() const {
  return fmt::format("d_model={}, max_len={}, dropout={}, batch_first={}", options.d_model(), options.max_len(),
                     options.dropout(), options.batch_first());
}

LearnedPositionalEmbeddingImpl::LearnedPositionalEmbeddingImpl(LearnedPositionalEmbeddingOptions opts)
    : Module("LearnedPositionalEmbedding"), options(opts) {
  check_table_size(options.max_len(), options.d_model(), "LearnedPositionalEmbedding");
  weight = register_parameter("weight", init::normal_(empty({options.max_len(), options.d_model()})));
}

Tensor LearnedPositionalEmbeddingImpl::forward(const Tensor& x, int64_t offset) {
  return add_positions(x, weight, offset, options.batch_first(), "LearnedPositionalEmbedding");
}

std::string LearnedPositionalEmbeddingImpl::extra_repr() const {
  return fmt::format("max_len={}, d_model={}, batch_first={}", options.max_len(), options.d_model(),
                     options.batch_first());
}

// T5's bucketing, written for one distance. n is how far back the key lies.
int64_t relative_position_bucket(int64_t relative_position, const RelativePositionOptions& options) {
  int64_t num_buckets = options.num_buckets(), bucket = 0, n = -relative_position;
  if (options.bidirectional()) {
    num_buckets /= 2;  // the upper half of the buckets is for keys after the query
    if (n < 0) bucket += num_buckets;
    n = std::abs(n);
  } else {
    n = std::max<int64_t>(n, 0);  // every future key shares bucket 0
  }
  const int64_t max_exact = num_buckets / 2;
  if (n < max_exact) return bucket + n;
  // Logarithmic from max_exact to max_distance, computed in float32 as T5 does, so the buckets agree.
  const float ratio = std::log(static_cast<float>(n) / static_cast<float>(max_exact)) /
                      static_cast<float>(std::log(static_cast<double>(options.max_distance()) / max_exact));
  const auto large = max_exact + static_cast<int64_t>(ratio * static_cast<float>(num_buckets - max_exact));
  return bucket + std::min(large, num_buckets - 1);
}

RelativePositionBiasImpl::RelativePositionBiasImpl(RelativePositionOptions opts, int64_t heads)
    : Module("RelativePositionBias"), options(opts), num_heads(heads) {
  const int64_t per_side = options.bidirectional() ? options.num_buckets() / 2 : options.num_buckets();
  AG_CHECK(per_side >= 2 && options.max_distance() > per_side / 2,
           "RelativePositionBias: need at least 2 buckets per direction and max_distance ({}) above the {} exact "
           "buckets; got num_buckets={}",
           options.max_distance(), per_side / 2, options.num_buckets());
  AG_CHECK(num_heads > 0, "RelativePositionBias: num_heads must be positive, got {}", num_heads);
  weight = register_parameter("weight", zeros({options.num_buckets(), num_heads}));
}

Tensor RelativePositionBiasImpl::forward(int64_t query_length, int64_t key_length) {
  std::vector<int64_t> buckets(checked_mul(query_length, key_length, "RelativePositionBias: query x key length"));
  for (int64_t l = 0; l < query_length; ++l) {
    const int64_t query_position = key_length - query_length + l;
    for (int64_t s = 0; s < key_length; ++s)
      buckets[l * key_length + s] = relative_position_bucket(s - query_position, options);
  }
  // (L,S) bucket ids -> (L,S,H) looked up -> (H,L,S); embedding's backward sums into each bucket.
  return embedding(weight, from_vector(buckets, {query_length, key_length})).permute({2, 0, 1});
}

std::string RelativePositionBiasImpl::extra_repr() const {
  return fmt::format("num_buckets={}, max_distance={}, num_heads={}, bidirectional={}", options.num_buckets(),
                     options.max_distance(), num_heads, options.bidirectional());
}

}  // namespace ag::nn
