// Generation: the cached session gives the uncached one's tokens, within the context and beyond it
// as the window slides; truncation; and the chat's end-of-turn detection.
#include <catch2/catch.hpp>
#include <sstream>

#include "ag/core/error.h"
#include "ag/core/generator.h"
#include "ag/core/ops.h"
#include "chat.h"
#include "session.h"

using namespace gpt;

namespace {

GPT random_model(int64_t block_size = 8) {
  ag::manual_seed(5);
  ModelConfig c;
  c.vocab_size = 13, c.block_size = block_size, c.n_layer = 2, c.n_head = 2, c.n_embd = 16;
  GPT model(c);
  model->eval();
  return model;
}

// `steps` tokens continuing {1, 2, 3} in `rows` rows, sampled at temperature 1 with a fixed seed.
std::vector<std::vector<int64_t>> generate(GPT model, bool use_cache, int64_t keep, int64_t steps, int64_t rows = 2) {
  Session session(model, rows, use_cache, keep);
  session.append(std::vector<int64_t>{1, 2, 3});
  ag::data::Rng rng(11);
  for (int64_t i = 0; i < steps; ++i) session.step({1.0, 0, 1.0}, rng);
  std::vector<std::vector<int64_t>> out;
  for (size_t b = 0; b < static_cast<size_t>(rows); ++b) out.push_back(session.row(b));
  return out;
}

}  // namespace

TEST_CASE("generation: cached and uncached sessions give the same tokens within the context") {
  const GPT model = random_model();
  const auto cached = generate(model, true, 0, 5), uncached = generate(model, false, 0, 5);
  CHECK(cached == uncached);
  CHECK(cached[0].size() == 8);
  CHECK(cached[0] != cached[1]);  // the rows are sampled apart
}

TEST_CASE("generation: beyond the context the window slides, and the cache follows it exactly") {
  const GPT model = random_model();
  for (int64_t keep : {0, 1, 5, 8}) {  // 0: half the context; 8: nanoGPT's crop at every step
    INFO("keep " << keep);
    const auto cached = generate(model, true, keep, 40), uncached = generate(model, false, keep, 40);
    CHECK(cached == uncached);
    CHECK(cached[0].size() == 43);
  }
  // The window matters: keeping 8 or 1 tokens sees different contexts, so (almost surely) other tokens.
  CHECK(generate(model, true, 8, 40) != generate(model, true, 1, 40));
  CHECK_THROWS_WITH(Session(model, 1, true, 9), Catch::Contains("give 1 to the context (8)"));
}

TEST_CASE("generation: next_logits after a truncation equals a fresh session's") {
  const GPT model = random_model();
  Session session(model, 1);
  session.append(std::vector<int64_t>{4, 5, 6, 7, 8, 9});
  session.next_logits();
  session.truncate(3);
  Session fresh(model, 1);
  fresh.append(std::vector<int64_t>{4, 5, 6});
  CHECK(ag::allclose(session.next_logits(), fresh.next_logits(), 1e-5, 1e-6));
  CHECK_THROWS_WITH(Session(model, 1).next_logits(), Catch::Contains("no text to continue"));
}

TEST_CASE("chat: a turn ends at a blank line or at the next speaker's line, which is not shown") {
  TurnEnd turn;
  CHECK(turn.feed("Good morrow") == "");                 // might be "Good Morrow:": held back
  CHECK(turn.feed(", sir.\nROM") == "Good morrow, sir.\n");  // cannot be a name: shown
  CHECK(turn.feed("EO") == "");
  CHECK(turn.feed(":\nAnd more") == "");
  CHECK(turn.ended());
  CHECK(turn.flush() == "");

  TurnEnd blank;
  CHECK(blank.feed("Ay.\nThat is all.\n\nFirst") == "Ay.\nThat is all.\n");
  CHECK(blank.ended());

  TurnEnd plain;  // an upper-case line that is not a name line is the bot's
  CHECK(plain.feed("O Romeo") == "");  // still looks like the start of "O Romeo:"
  CHECK(plain.feed(", Romeo!\nI") == "O Romeo, Romeo!\n");
  CHECK(!plain.ended());
  CHECK(plain.flush() == "I");
}

TEST_CASE("chat: a piped conversation gets one answer a line and ends cleanly at EOF") {
  // 13 tokens, as the random model has; the bot's name Z is not among them, so the model can never
  // write "Z: " itself and each one in the output opens an answer.
  LoadedModel loaded{random_model(16), Codec::characters("ab :\nABRJ"), {}};
  REQUIRE(loaded.model->config.vocab_size == loaded.codec.size());
  std::istringstream in("ab\nba\n");
  std::ostringstream out;
  ChatOptions options;
  options.user_name = "A", options.bot_name = "Z", options.max_tokens = 10;
  chat(loaded, options, in, out, /*interactive=*/false);
  const std::string text = out.str();
  CHECK(text.rfind("Z: ", 0) == 0);
  size_t answers = 0;
  for (size_t at = 0; (at = text.find("Z: ", at)) != std::string::npos; ++at) ++answers;
  CHECK(answers == 2);
  CHECK(text.back() == '\n');
}
