// SentencePiece tokens: a tiny BPE gpt trains, resumes bit for bit, samples, chats and scores from
// its run directory; pieces decode and stream as whole text (the ▁ marker, multi-byte characters,
// newlines); a tokenizer named outside the run directory, and bad --tokenizer/--vocab-size, are
// refused.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <numbers>
#include <sstream>

#include "ag/core/serialize.h"
#include "ag/data/utf8.h"
#include "ag/train/interrupt.h"
#include "codec.h"
#include "commands.h"
#include "evaluate.h"
#include "tiny_run.h"
#include "weights.h"

using namespace gpt;

namespace {

// Speaker lines, multi-byte characters (é, —, ’) and a blank line between turns.
const std::string kScene = "HAMLET:\nTo be, or not to be — that is the question: café’s bill.\n\n"
                           "OPHELIA:\nGood my lord, how does your honour?\n\n";

TrainOptions tiny_bpe_run(ag::data::testing::TempDir& dir, const std::string& out) {
  std::string text;
  for (int i = 0; i < 20; ++i) text += kScene;
  TrainOptions o = testing::tiny_run(dir, out, text);
  o.tokenizer = "bpe", o.vocab_size = 80;
  return o;
}

}  // namespace

TEST_CASE("tokens: a BPE gpt trains, resumes bit for bit, samples, chats and scores from its run directory") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  const TrainResult whole = train(tiny_bpe_run(dir, "whole"), log);
  CHECK(whole.steps == 12);
  CHECK(std::filesystem::is_regular_file(dir.path("whole/tokenizer.model")));
  const LoadedModel loaded = load_model(dir.path("whole"));
  CHECK(loaded.codec.kind() == "bpe");
  CHECK(loaded.codec.size() <= 80);
  CHECK(loaded.codec.size() > 40);  // pieces longer than characters were learnt
  CHECK(loaded.codec.encode(kScene).size() < ag::data::utf8::length(kScene) * 2 / 3);

  // Stopped after one step and resumed: the tokenizer comes from the run directory.
  ag::train::InterruptGuard::request();
  CHECK(train(tiny_bpe_run(dir, "stopped"), log).steps == 1);
  TrainOptions resume;
  resume.resume = dir.path("stopped"), resume.threads = 1;
  const TrainResult resumed = train(resume, log);
  CHECK(resumed.train_losses == whole.train_losses);
  CHECK(resumed.sample == whole.sample);

  // sample streams what decoding the whole text gives; eval counts the characters of the text.
  SampleOptions sample;
  sample.model = dir.path("whole"), sample.prompt = "HAMLET:", sample.prompt_given = true, sample.tokens = 30;
  sample.sampling = {0.0, 0, 1.0};
  std::istringstream no_input;
  std::ostringstream sampled;
  run_sample(sample, no_input, true, sampled);
  CHECK(sampled.str().starts_with("HAMLET:"));
  CHECK(ag::data::utf8::find_invalid(sampled.str()) == std::string_view::npos);
  CHECK(sampled.str().find("▁") == std::string::npos);

  ChatCommandOptions chat;
  chat.model = dir.path("whole"), chat.chat.user_name = "HAMLET", chat.chat.bot_name = "OPHELIA";
  chat.chat.max_tokens = 20;
  std::istringstream said("To be, or not to be.\n");
  std::ostringstream answered;
  run_chat(chat, said, false, answered);
  CHECK(answered.str().starts_with("OPHELIA: "));
  CHECK(ag::data::utf8::find_invalid(answered.str()) == std::string_view::npos);
  CHECK(answered.str().find("▁") == std::string::npos);

  const TextScore score = score_text(*loaded.model, loaded.codec, kScene + kScene);
  const std::vector<int64_t> ids = loaded.codec.encode(kScene + kScene);
  CHECK(score.tokens == static_cast<int64_t>(ids.size()) - 1);
  const auto first = static_cast<int64_t>(ag::data::utf8::length(loaded.codec.decode(std::span(ids).first(1))));
  CHECK(score.characters == static_cast<int64_t>(ag::data::utf8::length(kScene + kScene)) - first);
  CHECK(score.bits_per_char ==
        Approx(score.loss * static_cast<double>(score.tokens) / std::numbers::ln2 / static_cast<double>(score.characters)));
  EvalOptions eval;
  eval.model = dir.path("whole"), eval.texts = {dir.write("scored.txt", kScene)};
  std::ostringstream scored;
  run_eval(eval, scored);
  CHECK_THAT(scored.str(), Catch::Contains("bpe tokens") && Catch::Contains("bits/char"));
}

TEST_CASE("tokens: pieces decode and stream line by line, with ▁ and multi-byte characters intact") {
  ag::data::testing::TempDir dir;
  std::string text;
  for (int i = 0; i < 20; ++i) text += kScene;
  const Codec codec = Codec::train_sentencepiece(text, "unigram", 60, dir.path("u"), 1);
  const std::vector<int64_t> ids = codec.encode(kScene);
  CHECK(codec.decode(ids) == kScene);  // already normalized text: the round trip is exact
  CHECK(std::count(ids.begin(), ids.end(), codec.newline()) == 6);
  // Token by token, as sampling shows it, from an empty text and from a shown prompt.
  for (size_t shown : {size_t{0}, size_t{5}}) {
    TextStream stream(codec, std::span(ids).first(shown));
    std::string streamed = codec.decode(std::span(ids).first(shown));
    for (size_t n = shown + 1; n <= ids.size(); ++n) streamed += stream.next(std::span(ids).first(n));
    CHECK(streamed == kScene);
  }
  // Special ids have no text, and a piece after one at a line's start still begins the line.
  const std::vector<int64_t> with_specials = {ag::data::Vocab::kBos, ids[0], ag::data::Vocab::kPad, ids[1]};
  TextStream stream(codec, {});
  std::string streamed;
  for (size_t n = 1; n <= with_specials.size(); ++n) streamed += stream.next(std::span(with_specials).first(n));
  CHECK(streamed == codec.decode(with_specials));
  CHECK(streamed == codec.decode(std::span(ids).first(2)));
}

TEST_CASE("tokens: a tokenizer named outside the run directory, and bad tokenizer flags, are refused") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  TrainOptions o = tiny_bpe_run(dir, "run");
  o.max_steps = 4, o.sample_tokens = 0;
  train(o, log);
  std::filesystem::copy_file(dir.path("run/tokenizer.model"), dir.path("elsewhere.model"));

  // The weights file and the checkpoint, each edited to name a model file outside the run.
  for (const std::string file : {"model.safetensors", "checkpoint.safetensors"}) {
    const std::string path = dir.path("run/" + file);
    const ag::SafetensorsFile original = ag::load_safetensors(path);
    for (const std::string& name : {std::string("../elsewhere.model"), dir.path("elsewhere.model")}) {
      ag::SafetensorsFile edited = original;
      edited.metadata["tokenizer"] = nlohmann::json{{"kind", "bpe"}, {"model", name}}.dump();
      ag::save_safetensors(path, edited.tensors, edited.metadata);
      TrainOptions resume;
      resume.resume = dir.path("run"), resume.threads = 1;
      std::string message = "accepted";
      try {
        if (file == "model.safetensors") load_model(dir.path("run"));
        else train(resume, log);
      } catch (const ag::Error& e) {
        message = e.what();
      }
      CHECK_THAT(message, Catch::Contains(path) && Catch::Contains("may only name a file in its own directory"));
    }
    ag::save_safetensors(path, original.tensors, original.metadata);
  }
  CHECK(load_model(dir.path("run")).codec.kind() == "bpe");  // restored, it loads again

  // A checkpoint whose settings and tokenizer disagree is damaged, whichever of the two was changed.
  const std::string checkpoint = dir.path("run/checkpoint.safetensors");
  const ag::SafetensorsFile original = ag::load_safetensors(checkpoint);
  ag::SafetensorsFile edited = original;
  edited.metadata["tokenizer"] = nlohmann::json{{"kind", "char"}}.dump();
  ag::save_safetensors(checkpoint, edited.tensors, edited.metadata);
  TrainOptions resume;
  resume.resume = dir.path("run"), resume.threads = 1, resume.max_steps = 6;
  CHECK_THROWS_WITH(train(resume, log), Catch::Contains(checkpoint) && Catch::Contains("the saved settings say "
                                        "--tokenizer bpe, but the saved tokenizer is char; the checkpoint is damaged"));
  edited = original;
  nlohmann::json settings = nlohmann::json::parse(original.metadata.at("options"));
  settings["tokenizer"] = "unigram";
  edited.metadata["options"] = settings.dump();
  ag::save_safetensors(checkpoint, edited.tensors, edited.metadata);
  CHECK_THROWS_WITH(train(resume, log), Catch::Contains("--tokenizer unigram, but the saved tokenizer is bpe"));
  ag::save_safetensors(checkpoint, original.tensors, original.metadata);

  o.force = true;
  o.tokenizer = "foo";
  CHECK_THROWS_WITH(train(o, log), Catch::Contains("--tokenizer must be char, bpe or unigram, got \"foo\""));
  o.tokenizer = "bpe", o.vocab_size = 1;
  CHECK_THROWS_WITH(train(o, log), Catch::Contains("--vocab-size (1) must be at least 16"));
  o.tokenizer = "char", o.vocab_size = 100;
  CHECK_THROWS_WITH(train(o, log), Catch::Contains("--vocab-size (100) is for SentencePiece tokens"));
  CHECK(load_model(dir.path("run")).codec.kind() == "bpe");  // nothing was deleted
  // Fewer ids than the text's characters (and the specials and the newline) need.
  o.tokenizer = "unigram", o.vocab_size = 30, o.force = false, o.out = dir.path("small");
  CHECK_THROWS_WITH(train(o, log), Catch::Contains("--vocab-size (30) is too small for") &&
                                       Catch::Contains("has 37 characters besides the newline") && Catch::Contains("they need 42 ids"));
}
