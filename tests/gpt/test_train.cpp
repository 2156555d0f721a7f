// Training: a tiny model memorises a short text (loss near 0, greedy sampling reproduces it); the
// batcher's windows and its resumption; scoring a text; and `gpt train`'s run from a file, with
// its refusals.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <sstream>

#include "ag/core/error.h"
#include "ag/core/factory.h"
#include "ag/core/generator.h"
#include "ag/core/autograd/grad_mode.h"
#include "ag/core/parallel.h"
#include "ag/nn/functional/loss.h"
#include "corpus.h"
#include "evaluate.h"
#include "session.h"
#include "ag/train/interrupt.h"
#include "tests/data/temp_dir.h"
#include "tiny_run.h"
#include "train.h"
#include "weights.h"

using namespace gpt;

namespace {

const std::string kVerse = "To be, or not to be, that is the question:\n";

// The mean loss over the second half of each window, where the model has seen at least 8
// characters: enough to tell every place in the verse apart (the first characters of a window are
// ambiguous, "o" may go on as "o b" or "on", so no model gets their loss to 0).
double informed_loss(GPTImpl& model, Batcher& batcher) {
  ag::NoGradGuard no_grad;
  auto [x, y] = batcher.next();
  const int64_t T = x.size(1);
  const ag::Tensor logits = model.forward(x).narrow(1, T / 2, T - T / 2);
  return ag::nn::functional::cross_entropy(logits.reshape({-1, logits.size(2)}),
                                           y.narrow(1, T / 2, T - T / 2).reshape({-1})).item();
}

}  // namespace

TEST_CASE("train: a tiny model memorises a short text and greedy sampling gives it back") {
  ag::set_num_threads(1);
  ag::manual_seed(3);
  const Codec codec = Codec::characters(kVerse);
  std::string text;
  for (int i = 0; i < 20; ++i) text += kVerse;
  const std::vector<int64_t> tokens = codec.encode(text);
  ModelConfig config;
  config.vocab_size = codec.size(), config.block_size = 16, config.n_layer = 2, config.n_head = 2, config.n_embd = 32;
  GPT model(config);
  TrainOptions options;
  options.lr = 3e-3, options.weight_decay = 0.0;
  auto optimizer = make_optimizer(*model, options);
  Batcher batcher(tokens, 16, config.block_size, 1);
  const double initial = informed_loss(*model, batcher);
  for (int step = 0; step < 300; ++step) {
    auto [x, y] = batcher.next();
    train_step(*model, *optimizer, x, y, 1.0);
  }
  CHECK(initial > 2.0);
  CHECK(informed_loss(*model, batcher) < 0.05);

  // From its first 16 characters, the model writes the rest of the verse and starts it again.
  model->eval();
  Session session(model, 1);
  session.append(codec.encode(kVerse.substr(0, 16)));
  ag::data::Rng rng(0);
  for (size_t i = 16; i < kVerse.size() + 10; ++i) session.step({0.0, 0, 1.0}, rng);
  CHECK(codec.decode(session.row(0)) == kVerse + kVerse.substr(0, 10));
  // Scoring the text it learnt: near 0 bits per character.
  const TextScore score = score_text(*model, codec, kVerse + kVerse);
  CHECK(score.tokens == static_cast<int64_t>(2 * kVerse.size() - 1));
  CHECK(score.bits_per_char < 0.5);
}

TEST_CASE("train: score_text adds up each token's loss given the text before it") {
  ag::manual_seed(4);
  const Codec codec = Codec::characters("abcdef");
  ModelConfig config;
  config.vocab_size = codec.size(), config.block_size = 4, config.n_layer = 1, config.n_head = 1, config.n_embd = 8;
  GPT model(config);
  model->eval();
  // 10 characters: windows predict tokens 1-4, 5-8 and 9, each from the start of its window.
  const std::string text = "abcdefabcd";
  const std::vector<int64_t> ids = codec.encode(text);
  double nats = 0;
  for (size_t w = 0; w < ids.size() - 1; w += 4) {
    const size_t L = std::min<size_t>(4, ids.size() - 1 - w);
    const std::vector<int64_t> x(ids.begin() + w, ids.begin() + w + L), y(ids.begin() + w + 1, ids.begin() + w + L + 1);
    nats += lm_loss(*model, ag::from_vector(x, {1, (int64_t)L}), ag::from_vector(y, {1, (int64_t)L})).item() * L;
  }
  for (int64_t batch : {1, 2, 16}) {
    const TextScore s = score_text(*model, codec, text, batch);
    CHECK(s.tokens == 9);
    CHECK(s.loss == Approx(nats / 9).epsilon(1e-5));
    CHECK(s.perplexity == Approx(std::exp(nats / 9)).epsilon(1e-5));
    CHECK(s.bits_per_char == Approx(nats / 9 / std::log(2.0)).epsilon(1e-5));
  }
}

TEST_CASE("corpus: windows are consecutive tokens, targets shifted by one, and the batcher resumes") {
  std::vector<int64_t> tokens(100);
  for (size_t i = 0; i < tokens.size(); ++i) tokens[i] = static_cast<int64_t>(i);
  Batcher batcher(tokens, 3, 5, 42);
  auto [x, y] = batcher.next();
  const auto xs = x.to_vector<int64_t>(), ys = y.to_vector<int64_t>();
  for (size_t i = 0; i < xs.size(); ++i) {
    CHECK(ys[i] == xs[i] + 1);
    if (i % 5 != 0) CHECK(xs[i] == xs[i - 1] + 1);
  }
  const std::string state = batcher.state();
  const auto expected = batcher.next().first.to_vector<int64_t>();
  Batcher resumed(tokens, 3, 5, 0);
  resumed.set_state(state);
  CHECK(resumed.next().first.to_vector<int64_t>() == expected);
  CHECK_THROWS_WITH(Batcher(std::vector<int64_t>(5), 1, 5, 0), Catch::Contains("too few for one window"));
}

TEST_CASE("corpus: the text splits 90/10 by characters, not bytes") {
  ag::data::testing::TempDir dir;
  // 19 characters a line with its newline, 22 bytes ("é" and "—" take 2 and 3): the cut after 34
  // of 38 characters (byte 41 of 44) leaves 4 to validate.
  const std::string line = "ab é — cdefghijklm\n";
  const Text text = read_split_text({dir.write("t.txt", line + line)}, 3);
  CHECK(text.train == line + "ab é — cdefghij");
  CHECK(text.valid == "klm\n");
  CHECK_THROWS_WITH(read_split_text({dir.path("t.txt")}, 4), Catch::Contains("its last 10% (4 characters) must exceed the context of 4"));
}

using gpt::testing::tiny_run;

TEST_CASE("train: a run from a text file writes a model that samples, and refuses to overwrite it") {
  ag::data::testing::TempDir dir;
  TrainOptions o = tiny_run(dir, "run");
  std::ostringstream log;
  const TrainResult result = train(o, log);
  CHECK(result.steps == 12);
  CHECK_FALSE(result.interrupted);
  CHECK(result.train_losses.size() == 12);
  CHECK(std::isfinite(result.valid_loss));
  CHECK_FALSE(result.sample.empty());
  const LoadedModel loaded = load_model(o.out);
  CHECK(loaded.codec.size() == Codec::characters(kVerse).size());
  CHECK(std::ifstream(dir.path("run/loss.svg")).good());
  // Validations at steps 4 and 8 and at the end, one JSON line each.
  std::ifstream metrics(dir.path("run/metrics.jsonl"));
  std::vector<int64_t> steps;
  for (std::string line; std::getline(metrics, line);) steps.push_back(nlohmann::json::parse(line).at("step"));
  CHECK(steps == std::vector<int64_t>{4, 8, 12});

  CHECK_THROWS_WITH(train(o, log), Catch::Contains("--force"));
  o.force = true, o.data = {dir.path("missing.txt")};
  CHECK_THROWS_WITH(train(o, log), Catch::Contains("missing.txt"));
  CHECK(load_model(o.out).codec.size() == loaded.codec.size());  // a bad --data deletes nothing
  o.data = {dir.write("short.txt", "abc\n")};
  CHECK_THROWS_WITH(train(o, log), Catch::Contains("too short"));
  o.max_steps = 3;
  CHECK_THROWS_WITH(train(o, log), Catch::Contains("--max-steps (3) must exceed --warmup (3)"));
}

TEST_CASE("train: a run stopped by Ctrl-C and resumed takes the same steps as one never stopped") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  const TrainResult whole = train(tiny_run(dir, "whole"), log);

  // Asked before a session, the stop comes after its first step: at step 1, then at step 2.
  ag::train::InterruptGuard::request();
  const TrainResult first = train(tiny_run(dir, "stopped"), log);
  CHECK(first.interrupted);
  CHECK(first.steps == 1);
  CHECK(first.sample.empty());
  TrainOptions o;
  o.resume = dir.path("stopped"), o.threads = 1;
  ag::train::InterruptGuard::request();
  CHECK(train(o, log).steps == 2);
  const TrainResult resumed = train(o, log);
  CHECK_FALSE(resumed.interrupted);
  CHECK(resumed.steps == 12);
  CHECK(resumed.train_losses == whole.train_losses);  // bit for bit
  CHECK(resumed.valid_loss == whole.valid_loss);
  CHECK(resumed.sample == whole.sample);
  CHECK(load_model(dir.path("stopped")).model->state_dict().at("transformer.wte.weight").to_vector<float>() ==
        load_model(dir.path("whole")).model->state_dict().at("transformer.wte.weight").to_vector<float>());
}
