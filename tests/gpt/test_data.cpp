// What `gpt train` reads: several text files (each split 90/10 by itself, gzip or plain), scored
// one by one and together by `gpt eval`; the list a checkpoint keeps, which --resume holds to; the
// files it refuses by name; and checkpoints of earlier versions (one "data" path, no tokenizer),
// which still resume and sample.
#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>

#include "ag/core/error.h"
#include "ag/core/serialize.h"
#include "ag/data/text_file.h"
#include "ag/train/interrupt.h"
#include "commands.h"
#include "corpus.h"
#include "evaluate.h"
#include "tiny_run.h"
#include "weights.h"

using namespace gpt;
using nlohmann::json;

namespace {

const std::string kVerse = "To be, or not to be, that is the question:\n";
const std::string kOther = "Whether 'tis nobler in the mind to suffer\n";

std::string times(const std::string& line, int n) {
  std::string text;
  for (int i = 0; i < n; ++i) text += line;
  return text;
}

// The tiny run on two files: the verse (plain) and another line (gzip-compressed).
TrainOptions two_file_run(ag::data::testing::TempDir& dir, const std::string& out) {
  TrainOptions o = testing::tiny_run(dir, out);
  ag::data::write_lines(dir.path("other.txt.gz"), std::vector<std::string>(30, kOther.substr(0, kOther.size() - 1)));
  o.data.push_back(dir.path("other.txt.gz"));
  return o;
}

std::string refusal(const TrainOptions& o) {
  std::ostringstream log;
  try {
    train(o, log);
  } catch (const ag::Error& e) {
    return e.what();
  }
  return "accepted";
}

}  // namespace

TEST_CASE("data: each file is split 90/10 by itself, the training parts joined on lines of their own") {
  ag::data::testing::TempDir dir;
  // 20 characters each: the first 18 train, the last 2 validate. The first file's cut falls
  // mid-line, so a newline starts the second's training part on a line of its own.
  const std::string a = dir.write("a.txt", "abcdefghi\nabcdefghi\n");
  ag::data::write_lines(dir.path("b.txt.gz"), {"012345678", "012345678"});
  const Text text = read_split_text({a, dir.path("b.txt.gz")}, 3);
  CHECK(text.train == "abcdefghi\nabcdefgh\n012345678\n01234567");
  CHECK(text.valid == "i\n8\n");
  CHECK(text.name() == "the 2 --data files (" + a + " ... " + dir.path("b.txt.gz") + ")");
  // A cut right after a newline needs none added: 10 characters, the first 9 train.
  const std::string c = dir.write("c.txt", "abcdefgh\n\n");
  CHECK(read_split_text({c, a}, 1).train == "abcdefgh\nabcdefghi\nabcdefgh");
  CHECK_THROWS_WITH(read_split_text({a, dir.path("b.txt.gz")}, 4),
                    Catch::Contains("their last 10% (4 characters together) must exceed the context of 4"));
}

TEST_CASE("data: a run on a plain and a gzip file trains on both, validates on both, and resumes on them alone") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  const TrainOptions o = two_file_run(dir, "run");
  ag::train::InterruptGuard::request();
  CHECK(train(o, log).steps == 1);
  CHECK_THAT(log.str(), Catch::Contains("the 2 --data files"));
  // Both files' characters are in the vocabulary, and the checkpoint keeps both names.
  const LoadedModel loaded = load_model(o.out);
  CHECK(loaded.codec.size() == Codec::characters(kVerse + kOther).size());
  const ag::SafetensorsFile checkpoint = ag::load_safetensors(dir.path("run/checkpoint.safetensors"));
  CHECK(json::parse(checkpoint.metadata.at("options")).at("data") == json(o.data));

  // --resume takes the list from the checkpoint; another list is refused, the same one (however
  // spelled) accepted.
  TrainOptions resume;
  resume.resume = o.out, resume.threads = 1, resume.data = {o.data[0]};
  CHECK_THAT(refusal(resume), Catch::Contains("trains on [\"" + o.data[0] + "\",") &&
                                  Catch::Contains("but --data now names [\"" + o.data[0] + "\"]; a resumed run reads"));
  resume.data = {o.data[1], o.data[0]};
  CHECK_THAT(refusal(resume), Catch::Contains("but --data now names"));
  resume.data = {dir.path("./run.txt"), dir.path("x/../other.txt.gz")};
  CHECK(train(resume, log).steps == 12);

  // gpt eval scores each file, then all of them as one: every token weighs the same.
  const LoadedModel trained = load_model(o.out);
  const TextScore a = score_text(*trained.model, trained.codec, times(kVerse, 30));
  const TextScore b = score_text(*trained.model, trained.codec, times(kOther, 30));
  EvalOptions eval;
  eval.model = o.out, eval.texts = o.data;
  std::ostringstream out;
  run_eval(eval, out);
  CHECK_THAT(out.str(), Catch::StartsWith(o.data[0] + ": ") && Catch::Contains("\n" + o.data[1] + ": ") &&
                            Catch::Contains(fmt::format("\nall 2 files: {} char tokens, {} characters predicted",
                                                        a.tokens + b.tokens + 2, a.characters + b.characters)));
  const std::vector<TextScore> both = {a, b};
  const TextScore all = combine(both);
  CHECK(all.tokens == a.tokens + b.tokens);
  CHECK(all.loss == Approx((a.loss * a.tokens + b.loss * b.tokens) / (a.tokens + b.tokens)));
  CHECK(all.bits_per_char == Approx((a.loss * a.tokens + b.loss * b.tokens) / std::log(2.0) / (a.characters + b.characters)));
  CHECK(all.perplexity == Approx(std::exp(all.loss)));
}

TEST_CASE("data: a missing, empty, repeated or directory file among several is refused by name, deleting nothing") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  TrainOptions o = two_file_run(dir, "run");
  o.max_steps = 2, o.warmup = 0, o.sample_tokens = 0;
  train(o, log);
  o.force = true;
  const auto refused_with = [&](std::vector<std::string> files) {
    TrainOptions bad = o;
    bad.data = std::move(files);
    return refusal(bad);
  };
  const std::string a = o.data[0], b = o.data[1];
  CHECK_THAT(refused_with({a, dir.path("missing.txt"), b}), Catch::Contains("cannot open '" + dir.path("missing.txt")));
  CHECK_THAT(refused_with({a, dir.write("empty.txt", ""), b}),
             Catch::Contains(dir.path("empty.txt") + " is empty: there is no text in it"));
  CHECK_THAT(refused_with({a, b, a}), Catch::Contains("--data names " + a + " twice; a file given twice would be "
                                                      "trained and validated on twice"));
  CHECK_THAT(refused_with({a, dir.path("./run.txt")}),
             Catch::Contains("--data names one file twice, as " + a + " and " + dir.path("./run.txt")));
  CHECK_THAT(refused_with({a, dir.path("run")}), Catch::Contains(dir.path("run") + "': it is a directory"));
  CHECK(load_model(o.out).codec.size() == Codec::characters(kVerse + kOther).size());  // nothing was deleted
  // gpt eval names the file it cannot score.
  EvalOptions eval;
  eval.model = o.out, eval.texts = {a, dir.path("empty.txt")};
  std::ostringstream scored;
  CHECK_THROWS_WITH(run_eval(eval, scored), Catch::StartsWith(dir.path("empty.txt") + ": evaluation: the text has 0"));
  eval.texts = {a, dir.path("missing.txt")};
  CHECK_THROWS_WITH(run_eval(eval, scored), Catch::Contains("cannot open '" + dir.path("missing.txt")));

  // A checkpoint whose list holds a directory is refused on --resume, by the file's name.
  const std::string checkpoint = dir.path("run/checkpoint.safetensors");
  ag::SafetensorsFile file = ag::load_safetensors(checkpoint);
  json options = json::parse(file.metadata.at("options"));
  options["data"] = {a, dir.path("run")};
  file.metadata["options"] = options.dump();
  ag::save_safetensors(checkpoint, file.tensors, file.metadata);
  TrainOptions resume;
  resume.resume = o.out, resume.threads = 1;
  CHECK_THAT(refusal(resume), Catch::Contains("the run's training text " + dir.path("run") + " is not a regular file"));
}

TEST_CASE("data: a checkpoint from before the tokenizer and the list of files resumes bit for bit and samples") {
  ag::data::testing::TempDir dir;
  std::ostringstream log;
  const TrainResult whole = train(testing::tiny_run(dir, "whole"), log);
  ag::train::InterruptGuard::request();
  const TrainOptions o = testing::tiny_run(dir, "old");
  CHECK(train(o, log).steps == 1);

  // Made as gpt train wrote them then: "data" one path, no tokenizer in the settings or the files.
  const auto make_old = [](const std::string& path, const auto& edit_options) {
    ag::SafetensorsFile file = ag::load_safetensors(path);
    file.metadata.erase("tokenizer");
    if (file.metadata.contains("options")) {
      json options = json::parse(file.metadata.at("options"));
      options.erase("tokenizer"), options.erase("vocab_size");
      edit_options(options);
      file.metadata["options"] = options.dump();
    }
    ag::save_safetensors(path, file.tensors, file.metadata);
  };
  const std::string checkpoint = dir.path("old/checkpoint.safetensors");
  make_old(checkpoint, [&](json& options) { options["data"] = o.data[0]; });
  make_old(dir.path("old/model.safetensors"), [](json&) {});

  // The weights sample as characters, and the checkpoint resumes as the run it was.
  SampleOptions sample;
  sample.model = o.out, sample.prompt = "To be", sample.prompt_given = true, sample.tokens = 10;
  std::istringstream no_input;
  std::ostringstream sampled;
  run_sample(sample, no_input, true, sampled);
  CHECK_THAT(sampled.str(), Catch::StartsWith("To be"));
  CHECK(load_model(o.out).codec.kind() == "char");
  TrainOptions resume;
  resume.resume = o.out, resume.threads = 1;
  const TrainResult resumed = train(resume, log);
  CHECK(resumed.steps == 12);
  CHECK(resumed.train_losses == whole.train_losses);
  CHECK(resumed.sample == whole.sample);

  // "data": "" was the bundled text, which has other characters than this run's.
  make_old(checkpoint, [](json& options) { options["data"] = ""; });
  CHECK_THAT(refusal(resume), Catch::Contains("the characters of " + default_corpus() + " are not those"));
}
