// Settings declared once (ag/train/settings.h): one line per setting gives its flag, its JSON, its
// range check and its rule on --resume.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <limits>

#include "ag/core/error.h"
#include "ag/train/settings_cli.h"

using namespace ag;

namespace {

// A small program's options: every kind of setting the list knows.
struct ToyOptions {
  int64_t layers = 2;
  double dropout = 0.1;
  bool bias = false;
  std::string activation = "relu";
  int64_t vocab_size = 0;  // filled in by the program from its data
  double max_time = 0;     // seconds
  std::string out = "runs/toy";  // not saved: where this run goes

  template <typename Self, typename Setting>
  static void settings(Self& o, Setting&& setting) {
    using train::Range;
    setting(o.layers, {.flag = "--layers", .key = "/model/layers", .help = "Transformer blocks", .range = Range{1, 256},
                       .group = "Model"});
    setting(o.dropout, {.flag = "--dropout", .key = "/model/dropout", .help = "dropout probability",
                        .range = Range{0, 1, false, true}, .group = "Model"});
    setting(o.bias, {.flag = "--bias", .key = "/model/bias", .help = "biases in Linears", .group = "Model"});
    setting(o.activation, {.flag = "--activation", .key = "/model/activation", .help = "relu or gelu",
                           .choices = {"relu", "gelu"}, .group = "Model"});
    setting(o.vocab_size, {.key = "/model/vocab_size"});
    setting(o.max_time, train::max_time_setting("/max_time", ""));  // 90, 5m, 1h30m: the kit's own
  }
};

// `toy <args>` parsed as a program's main() would; `given` answers which flags were given.
struct Parsed {
  CLI::App app;
  ToyOptions options;
  explicit Parsed(std::vector<std::string> args) {
    train::add_setting_flags(app, options);
    std::reverse(args.begin(), args.end());  // CLI11 takes the arguments last first
    app.parse(args);
  }
  train::FlagGiven given() const {
    return [this](const std::string& flag) { return app.count(flag) > 0; };
  }
};

const std::vector<train::SettingSpec>& specs() { return train::setting_specs<ToyOptions>(); }

}  // namespace

TEST_CASE("settings: each declared setting with a flag is a flag, with its help, group and choices") {
  Parsed parsed({"--layers", "4", "--bias", "--activation", "gelu", "--max-time", "5m"});
  CHECK(parsed.options.layers == 4);
  CHECK(parsed.options.bias);
  CHECK(parsed.options.activation == "gelu");
  CHECK(parsed.options.max_time == 300);
  CHECK(parsed.options.dropout == 0.1);  // not given: the default
  const std::string help = parsed.app.help();
  CHECK_THAT(help, Catch::Contains("--layers") && Catch::Contains("Transformer blocks") && Catch::Contains("Model:"));
  CHECK_THAT(help, !Catch::Contains("vocab"));  // saved, but no flag

  CHECK_THROWS_AS(Parsed({"--activation", "tanh"}), CLI::ValidationError);
  CHECK_THROWS_WITH(Parsed({"--max-time", "soon"}), Catch::Contains("--max-time: cannot read 'soon'"));
  CHECK_THROWS_AS(Parsed({"--vocab-size", "5"}), CLI::ExtrasError);
}

TEST_CASE("settings: the declared settings round-trip through JSON at their keys") {
  ToyOptions o;
  o.layers = 3, o.dropout = 0.25, o.bias = true, o.activation = "gelu", o.vocab_size = 65, o.max_time = 60;
  o.out = "elsewhere";
  const nlohmann::json j = train::settings_to_json(o);
  CHECK(j == nlohmann::json::parse(R"({"max_time": 60.0, "model": {"layers": 3, "dropout": 0.25, "bias": true,
                                       "activation": "gelu", "vocab_size": 65}})"));

  ToyOptions read;
  train::settings_from_json(j, read);
  CHECK(train::settings_to_json(read) == j);
  CHECK(read.out == "runs/toy");  // not a setting: left as it was

  nlohmann::json damaged = j;
  damaged["model"].erase("bias");
  CHECK_THROWS_AS(train::settings_from_json(damaged, read), nlohmann::json::exception);
  damaged = j;
  damaged["model"]["bias"] = "yes";
  CHECK_THROWS_AS(train::settings_from_json(damaged, read), nlohmann::json::exception);
  // A text with choices is held to them, as on the command line; a file's message names it and the key.
  damaged = j;
  damaged["model"]["activation"] = 7;
  CHECK_THROWS_WITH(train::settings_from_json(damaged, read), "--activation must be relu or gelu, got 7");
  damaged["model"]["activation"] = "tanh";
  CHECK_THROWS_WITH(train::read_saved_settings<ToyOptions>(damaged, "run/checkpoint: options"),
                    "run/checkpoint: options model activation (--activation) must be relu or gelu, got \"tanh\"");
  CHECK_THROWS_WITH(train::read_saved_settings<ToyOptions>(nlohmann::json::array(), "run/checkpoint: options"),
                    Catch::Contains("run/checkpoint: options must be a JSON object"));
  CHECK(train::settings_to_json(read) == j);  // a failed read changes nothing
}

namespace {

// Options whose settings must also fit together, as a program's validate() says.
struct CheckedOptions {
  int64_t warmup = 10, max_steps = 100;
  void validate() const { AG_CHECK(max_steps > warmup, "--max-steps ({}) must exceed --warmup ({})", max_steps, warmup); }
  template <typename Self, typename Setting>
  static void settings(Self& o, Setting&& setting) {
    setting(o.warmup, {.flag = "--warmup", .key = "/warmup", .range = train::Range{0, 1000}});
    setting(o.max_steps, {.flag = "--max-steps", .key = "/max_steps", .range = train::Range{1, 1000}});
  }
};

}  // namespace

TEST_CASE("settings: a saved file's settings must also pass the options' validate(), named by the file") {
  CHECK(train::read_saved_settings<CheckedOptions>({{"warmup", 5}, {"max_steps", 50}}, "run/ckpt: options").max_steps == 50);
  CHECK_THROWS_WITH(train::read_saved_settings<CheckedOptions>({{"warmup", 50}, {"max_steps", 50}}, "run/ckpt: options"),
                    "run/ckpt: options: --max-steps (50) must exceed --warmup (50)");
}

TEST_CASE("settings: every number is held to its declared range, wherever it comes from") {
  CHECK(specs().size() == 6);
  CHECK(train::find_setting(specs(), "--layers").integer);
  CHECK_FALSE(train::find_setting(specs(), "--dropout").integer);
  CHECK_THROWS_AS(train::find_setting(specs(), "--width"), Error);

  const nlohmann::json good = train::settings_to_json(ToyOptions{});
  const auto refused = [&](const std::string& key, const nlohmann::json& value) {
    nlohmann::json bad = good;
    bad[nlohmann::json::json_pointer(key)] = value;
    ToyOptions o;
    try {
      train::settings_from_json(bad, o);
    } catch (const Error& e) {
      CHECK(o.layers == 2);  // nothing was read
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK_THAT(refused("/model/layers", 0), Catch::Contains("--layers must be an integer from 1 to 256, got 0"));
  CHECK_THAT(refused("/model/layers", 1.5), Catch::Contains("--layers must be an integer"));
  CHECK_THAT(refused("/model/layers", 2.0e19), Catch::Contains("--layers must be an integer"));
  CHECK_THAT(refused("/model/dropout", 1.0), Catch::Contains("--dropout must be a number in [0, 1), got 1.0"));
  CHECK_THAT(refused("/model/dropout", "high"), Catch::Contains("--dropout must be a number"));
  CHECK_THAT(refused("/max_time", -1), Catch::Contains("--max-time must be a number in [0, 1000000000], got -1"));
  CHECK(refused("/model/layers", 256) == "accepted");
  // JSON writes infinity and NaN as null: the message names them as the user wrote them.
  CHECK_THAT(refused("/max_time", std::numeric_limits<double>::infinity()), Catch::EndsWith("got inf"));
  CHECK_THAT(refused("/model/dropout", std::nan("")), Catch::EndsWith("got nan"));

  Parsed parsed({"--layers", "1000"});  // a flag is read first and checked with the JSON it ends up in
  CHECK_THROWS_WITH(train::check_settings(specs(), train::settings_to_json(parsed.options)),
                    Catch::Contains("--layers"));
}

TEST_CASE("settings: on --resume a setting that must match refuses a new value; one that may change takes it") {
  ToyOptions saved;
  saved.layers = 3;
  Parsed again({"--layers", "4", "--max-time", "2h"});
  const auto merge = [&](const train::FlagGiven& given) {
    return train::merge_resumed_settings(specs(), given, train::settings_to_json(again.options),
                                         train::settings_to_json(saved), "toy", "only --max-time may change");
  };
  CHECK_THROWS_WITH(merge(again.given()), Catch::Contains("toy --resume: --layers was 3 in the saved run but 4 now; a "
                                                          "resumed run keeps its settings (only --max-time may change). "
                                                          "Drop --layers or start a new run with --out."));

  const auto max_time_only = [](const std::string& flag) { return flag == "--max-time"; };
  const nlohmann::json merged = merge(max_time_only);
  CHECK(merged["max_time"] == 7200.0);      // may change: the new value
  CHECK(merged["model"]["layers"] == 3);    // not given again: the saved value

  again.options.layers = 3;  // the same value given again is no change
  CHECK(merge(again.given())["max_time"] == 7200.0);
}

namespace {

// Lists of texts: none by default (the program's own data), or a default of its own.
struct ListOptions {
  std::vector<std::string> data;
  std::vector<std::string> headers = {"From"};

  template <typename Self, typename Setting>
  static void settings(Self& o, Setting&& setting) {
    setting(o.data, {.flag = "--data", .key = "/data", .help = "text files (none: the bundled text)"});
    setting(o.headers, {.flag = "--headers", .key = "/headers", .help = "mail headers kept"});
  }
};

}  // namespace

TEST_CASE("settings: a list flag shows its default in --help unless it is empty") {
  CLI::App app;
  ListOptions o;
  train::add_setting_flags(app, o);
  const std::string help = app.help();
  CHECK_THAT(help, !Catch::Contains("[]"));  // an empty list: its help says what none means
  CHECK_THAT(help, Catch::Contains("From"));
  app.parse(std::vector<std::string>{"b.txt", "a.txt", "--data"});  // last first, as CLI11 takes them
  CHECK(o.data == std::vector<std::string>{"a.txt", "b.txt"});
}
