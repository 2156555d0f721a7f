// Sampling the next token: greedy at temperature 0, and top-k / top-p never letting a token outside
// their set through.
#include <catch2/catch.hpp>
#include <set>

#include "ag/core/error.h"
#include "ag/core/factory.h"
#include "sampling.h"

using namespace gpt;

namespace {

const std::vector<float> kLogits = {0.5f, 2.0f, -1.0f, 1.0f, 2.0f, 0.0f, 3.0f, -2.0f};

// Which tokens `draws` samples produced.
std::set<int64_t> drawn(const SamplingOptions& options, int draws = 4000) {
  ag::data::Rng rng(7);
  std::set<int64_t> seen;
  for (int i = 0; i < draws; ++i) seen.insert(sample_token(kLogits, options, rng));
  return seen;
}

}  // namespace

TEST_CASE("sampling: temperature 0 is the argmax, the first of equals") {
  ag::data::Rng rng(1);
  CHECK(sample_token(kLogits, {0.0, 0, 1.0}, rng) == 6);
  const std::vector<float> tied = {1.0f, 4.0f, 4.0f};
  CHECK(sample_token(tied, {0.0, 0, 1.0}, rng) == 1);
  // Whatever top-k and top-p say.
  CHECK(sample_token(kLogits, {0.0, 3, 0.1}, rng) == 6);
  const ag::Tensor rows = ag::from_vector(std::vector<float>{0, 1, 0, 5, 0, 0}, {2, 3});
  CHECK(sample_tokens(rows, {0.0, 0, 1.0}, rng) == std::vector<int64_t>{1, 0});
}

TEST_CASE("sampling: without limits every token can come up, in proportion to its probability") {
  const std::set<int64_t> seen = drawn({1.0, 0, 1.0});
  CHECK(seen.size() == kLogits.size());
  // Token 6 has probability e^3 / sum(e^l) = 0.493; 4000 draws land within a few percent of it.
  ag::data::Rng rng(3);
  int sixes = 0;
  for (int i = 0; i < 4000; ++i) sixes += sample_token(kLogits, {1.0, 0, 1.0}, rng) == 6;
  CHECK(sixes / 4000.0 == Approx(0.4928).margin(0.03));
}

TEST_CASE("sampling: top-k draws only the k likeliest") {
  CHECK(allowed_tokens(kLogits, {1.0, 3, 1.0}) == std::vector<int64_t>{6, 1, 4});
  CHECK(drawn({1.0, 3, 1.0}) == std::set<int64_t>{1, 4, 6});
  CHECK(drawn({5.0, 1, 1.0}) == std::set<int64_t>{6});
  CHECK(allowed_tokens(kLogits, {1.0, 100, 1.0}).size() == kLogits.size());  // k beyond V: all
}

TEST_CASE("sampling: top-p draws only the smallest likeliest set holding p") {
  // Probabilities: 6: 0.493, 1 and 4: 0.181 each, 3: 0.067, 0: 0.040, ...
  CHECK(allowed_tokens(kLogits, {1.0, 0, 0.4}) == std::vector<int64_t>{6});
  CHECK(allowed_tokens(kLogits, {1.0, 0, 0.6}) == std::vector<int64_t>{6, 1});
  CHECK(allowed_tokens(kLogits, {1.0, 0, 0.8}) == std::vector<int64_t>{6, 1, 4});
  CHECK(drawn({1.0, 0, 0.8}) == std::set<int64_t>{1, 4, 6});
  // With top-k, top-p works on what top-k kept (renormalised): 6 holds 0.576 of {6, 1, 4}.
  CHECK(allowed_tokens(kLogits, {1.0, 3, 0.55}) == std::vector<int64_t>{6});
  // A low temperature sharpens the distribution so that fewer tokens make up p.
  CHECK(allowed_tokens(kLogits, {0.1, 0, 0.9}) == std::vector<int64_t>{6});
}

TEST_CASE("sampling: bad settings are refused with the flag's name") {
  CHECK_THROWS_WITH((SamplingOptions{-1.0, 0, 1.0}.validate()), Catch::Contains("--temperature"));
  CHECK_THROWS_WITH((SamplingOptions{1.0, -2, 1.0}.validate()), Catch::Contains("--top-k"));
  CHECK_THROWS_WITH((SamplingOptions{1.0, 0, 0.0}.validate()), Catch::Contains("--top-p"));
  CHECK_THROWS_WITH((SamplingOptions{1.0, 0, 1.5}.validate()), Catch::Contains("--top-p"));
}
