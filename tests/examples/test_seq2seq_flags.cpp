// seq2seq's flags and their edges (issue 19): every numeric flag has one range, checked alike on the
// command line, in a --config file and in a checkpoint read on --resume; a --config file is read
// (and a bad one refused); a validation set that ends up empty, a too-small --max-positions and an
// extended cosine schedule are each reported, never a crash or a silent no-op.
#include <catch2/catch.hpp>
#include <sstream>

#include "ag/core/error.h"
#include "options.h"
#include "tests/data/temp_dir.h"
#include "trainer.h"

using namespace seq2seq;
using ag::data::testing::TempDir;

namespace {

// `seq2seq train <args>` parsed as main() parses it; `given` answers which flags were given.
struct ParsedTrain {
  CLI::App app;
  CLI::App* train = app.add_subcommand("train");
  TrainOptions options;
  ParsedTrain(std::vector<std::string> args) {
    add_train_options(*train, options);
    args.insert(args.begin(), "train");
    std::reverse(args.begin(), args.end());  // CLI11 takes the arguments last first
    app.parse(args);
  }
  FlagGiven given() const {
    return [this](const std::string& flag) { return train->count(flag) > 0; };
  }
};

// A small corpus run, quick enough for a unit test.
TrainOptions corpus_options(const TempDir& dir, int64_t max_positions) {
  TrainOptions o;
  o.out = dir.path("run");
  o.data.src = dir.path("train.src");
  o.data.tgt = dir.path("train.tgt");
  o.data.valid_src = dir.path("valid.src");
  o.data.valid_tgt = dir.path("valid.tgt");
  o.data.tokenizer = "char";
  o.model.d_model = 16;
  o.model.nhead = 2;
  o.model.encoder_layers = 1;
  o.model.decoder_layers = 1;
  o.model.dim_feedforward = 32;
  o.model.max_positions = max_positions;
  o.schedule.max_steps = 2;
  o.threads = 1;
  return o;
}

const auto kAllFlags = [](const std::string&) { return true; };

}  // namespace

TEST_CASE("seq2seq flags: out-of-range numbers on the command line are refused, naming the flag") {
  for (const auto& [flag, value] : std::vector<std::pair<std::string, std::string>>{
           {"--threads", "100000"}, {"--max-steps", "-3"}, {"--save-every", "-1"}, {"--eval-every", "-5"},
           {"--max-positions", "1099511627776"}, {"--d-model", "0"}, {"--lr", "0"}, {"--dropout", "1"}}) {
    ParsedTrain parsed({flag, value});
    CHECK_THROWS_WITH(finish_train_options(parsed.options, parsed.given()), Catch::Contains(flag));
  }
  ParsedTrain fine({"--threads", "4", "--max-steps", "10"});
  finish_train_options(fine.options, fine.given());
  CHECK(fine.options.threads == 4);
  // Within the range, but more than 8 threads a core of this machine (the range's end, 4096, is
  // more than any machine that runs this suite has cores for).
  ParsedTrain too_many({"--threads", "4096", "--max-steps", "10"});
  CHECK_THROWS_WITH(finish_train_options(too_many.options, too_many.given()),
                    Catch::Contains("--threads (4096) must be in [0, ") && Catch::Contains("8 threads per core"));
}

TEST_CASE("seq2seq flags: a checkpoint's settings are held to the same ranges on --resume") {
  const nlohmann::json good = to_json(TrainOptions{});
  CHECK(train_options_from_json(good).threads == 0);
  for (const auto& [pointer, value] : std::vector<std::pair<std::string, nlohmann::json>>{
           {"/threads", 100000}, {"/data/task_valid", 0}, {"/data/task_train", 2.0e19}, {"/schedule/max_steps", 1.5},
           {"/model/max_positions", int64_t{1} << 58}, {"/schedule/save_every", -1}}) {
    nlohmann::json bad = good;
    bad[nlohmann::json::json_pointer(pointer)] = value;
    CHECK_THROWS_AS(train_options_from_json(bad), ag::Error);
  }
}

TEST_CASE("seq2seq flags: --config sets the flags the command line left out") {
  TempDir dir;
  dir.write("run.toml", "d-model = 32\nheads = 2\nnorm-first = true\nmax-time = \"5m\"\n");
  ParsedTrain parsed({"--config", dir.path("run.toml"), "--heads", "4"});
  CHECK(parsed.options.model.d_model == 32);
  CHECK(parsed.options.model.nhead == 4);  // the command line wins
  CHECK(parsed.options.model.norm_first);
  CHECK(parsed.options.schedule.max_time == 300);
  CHECK(parsed.given()("--d-model"));

  dir.write("section.ini", "[train]\nd-model = 48\n");
  CHECK(ParsedTrain({"--config", dir.path("section.ini")}).options.model.d_model == 48);

  dir.write("typo.toml", "d_model = 32\n");
  CHECK_THROWS_WITH(ParsedTrain({"--config", dir.path("typo.toml")}), Catch::Contains("'d_model' is not a flag"));
  dir.write("garbage.toml", std::string("\x01\xfe\x7f garbage\n\x00\x02", 14));
  CHECK_THROWS_AS(ParsedTrain({"--config", dir.path("garbage.toml")}), CLI::ParseError);
  CHECK_THROWS_AS(ParsedTrain({"--config", dir.path("missing.toml")}), CLI::ParseError);
  dir.write("range.toml", "threads = 100000\n");
  ParsedTrain ranged({"--config", dir.path("range.toml")});
  CHECK_THROWS_WITH(finish_train_options(ranged.options, ranged.given()), Catch::Contains("--threads"));
}

TEST_CASE("seq2seq train: a validation set with no pair the model can read is refused before training") {
  TempDir dir;
  std::string short_lines, long_lines;
  for (int i = 0; i < 50; ++i) short_lines += "abc\n";
  for (int i = 0; i < 5; ++i) long_lines += std::string(100, 'a') + "\n";
  dir.write("train.src", short_lines);
  dir.write("train.tgt", short_lines);
  dir.write("valid.src", long_lines);
  dir.write("valid.tgt", long_lines);
  std::ostringstream log;
  CHECK_THROWS_WITH(train(corpus_options(dir, 32), kAllFlags, log), Catch::Contains("validation set is empty"));
}

TEST_CASE("seq2seq train: pairs too long for --max-positions are blamed on --max-positions") {
  TempDir dir;
  std::string lines;
  for (int i = 0; i < 20; ++i) lines += "abcdefgh\n";
  for (const char* name : {"train.src", "train.tgt", "valid.src", "valid.tgt"}) dir.write(name, lines);
  std::ostringstream log;
  CHECK_THROWS_WITH(train(corpus_options(dir, 5), kAllFlags, log), Catch::Contains("--max-positions 5"));
}

TEST_CASE("seq2seq resume: extending past the end of a cosine schedule warns, and --decay-steps stretches it") {
  TempDir dir;
  std::string lines;
  for (int i = 0; i < 40; ++i) lines += std::string("abcde").substr(0, 1 + i % 5) + "\n";
  for (const char* name : {"train.src", "train.tgt", "valid.src", "valid.tgt"}) dir.write(name, lines);
  TrainOptions first = corpus_options(dir, 32);
  first.optim.schedule = "cosine";
  first.optim.warmup = 1;
  std::ostringstream log;
  train(first, [](const std::string& flag) { return flag != "--decay-steps"; }, log);

  TrainOptions longer = corpus_options(dir, 32);
  longer.resume = dir.path("run");
  longer.schedule.max_steps = 4;
  const auto max_steps_only = [](const std::string& flag) { return flag == "--max-steps"; };
  std::ostringstream extended;
  train(longer, max_steps_only, extended);
  CHECK_THAT(extended.str(), Catch::Contains("warning: the cosine schedule reaches learning rate 0 at step 2"));

  longer.schedule.max_steps = 6;
  longer.optim.decay_steps = 6;
  std::ostringstream stretched;
  train(longer, [](const std::string& flag) { return flag == "--max-steps" || flag == "--decay-steps"; }, stretched);
  CHECK_THAT(stretched.str(), !Catch::Contains("warning: the cosine schedule"));
}
