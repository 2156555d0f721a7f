// Settings declared once: a program's options struct lists each setting in one place, with its flag,
// its place in the JSON a checkpoint keeps, its help text, the range of a number and what --resume
// may do with it, and everything else comes from that list:
//
//   struct Options {
//     int64_t layers = 2;
//     double max_time = 0;
//     template <typename Self, typename Setting>
//     static void settings(Self& o, Setting&& setting) {
//       setting(o.layers, {.flag = "--layers", .key = "/model/layers", .help = "Transformer blocks",
//                          .range = ag::train::Range{1, 256}});
//       setting(o.max_time, {.flag = "--max-time", .key = "/max_time", .help = "seconds of training",
//                            .range = ag::train::Range{0, 1e9}, .on_resume = ag::train::OnResume::kMayChange});
//     }
//   };
//
//   settings_to_json(o)          {"max_time": 0, "model": {"layers": 2}}, for the checkpoint
//   settings_from_json(j, o)     back again, each number held to its range first
//   merge_resumed_settings(...)  --resume: a given flag that must match the saved run and does not is an
//                                error naming it; one that may change takes effect
//   add_setting_flags(app, o)    the CLI11 flags (ag/train/settings_cli.h)
//
// `settings` is a template over Self (Options or const Options) so that one list serves reading and
// writing alike, as an optimizer's `fields` does (ag/optim/options.h).
#pragma once
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ag/core/error.h"

namespace ag::train {

// The numbers a setting accepts: [min, max], or with open_min/open_max the bound itself refused.
struct Range {
  double min, max;
  bool open_min = false, open_max = false;
};

// What --resume does with a setting given again on the command line.
enum class OnResume {
  kMustMatch,  // it shapes the run (the model, the data, the optimizer): a different value is an error
  kMayChange,  // how long to go on, how often to report, how fast: the new value takes effect
};

// Everything about a setting but its value (which lives in the options struct).
struct SettingSpec {
  std::string flag{};  // "--d-model"; empty: saved, but set by the program rather than by a flag
  std::string key{};   // a JSON pointer into the saved settings: "/model/d_model"
  std::string help{};
  std::optional<Range> range{};        // numbers only
  std::vector<std::string> choices{};  // text: the values the flag accepts (empty: any)
  bool existing_file = false;          // text: the flag names a file that must exist
  // A number the flag reads through this function (a duration "1h30m", say); it throws an ag::Error
  // for text it cannot read. None: the number as written.
  std::function<double(const std::string&)> parse{};
  OnResume on_resume = OnResume::kMustMatch;
  std::string group{};   // the heading the flag is listed under in --help
  bool integer = false;  // filled in by setting_specs from the field's type
};

// The --max-time of a training program (Loop's max_time) at `key`: seconds of training over every
// session of the run, written 90, 90s, 5m or 1h30m (0: no limit); --resume may change it.
SettingSpec max_time_setting(std::string key, std::string group);
// The --threads of a program (0: AG_NUM_THREADS or every core, see ag/core/parallel.h) at `key`,
// from 0 to ag::kMaxThreads; --resume may change it. A program also holds it to this machine's
// cores when it runs (ag::check_threads_flag): a saved run may resume on another machine.
SettingSpec threads_setting(std::string key, std::string group);

// `was_given(flag)` says whether a flag ("--max-steps") was given (on a command line: app.count).
using FlagGiven = std::function<bool(const std::string&)>;

// Lists the settings of a part with its own list (a model's configuration, kept alone in a weights
// file) inside the whole's, each key under `prefix` ("/model"): call it from the whole's `settings`.
template <typename Part, typename Setting>
void nested_settings(Part& part, const std::string& prefix, Setting& setting) {
  std::remove_const_t<Part>::settings(part, [&prefix, &setting](auto& field, SettingSpec spec) {
    spec.key = prefix + spec.key;
    setting(field, std::move(spec));
  });
}

// Every setting Options declares, in its order.
template <typename Options>
const std::vector<SettingSpec>& setting_specs() {
  static const std::vector<SettingSpec> specs = [] {
    std::vector<SettingSpec> all;
    Options defaults{};
    Options::settings(defaults, [&all](auto& field, SettingSpec spec) {
      using T = std::decay_t<decltype(field)>;
      spec.integer = std::is_integral_v<T> && !std::is_same_v<T, bool>;
      all.push_back(std::move(spec));
    });
    return all;
  }();
  return specs;
}

// The setting whose flag is `flag`; an ag::Error if there is none (a program's own mistake).
const SettingSpec& find_setting(const std::vector<SettingSpec>& specs, const std::string& flag);

// Every number in `values` (settings_to_json's layout) within its setting's range, and every text
// with choices one of them (or empty, for the program to fill in), or an ag::Error naming the flag: "--d-model must be an integer from 1 to
// 8192, got 0". A count must be written as an integer (2.0e19 or 1.5 is refused, never cast); a key
// that is missing is left to the reader. For values read from a file, `where` names it and the
// message names the key too: "run/checkpoint.safetensors: options model d_model (--d-model) must be...".
void check_settings(const std::vector<SettingSpec>& specs, const nlohmann::json& values,
                    const std::string& where = "");

// --resume: the saved settings with every flag the user gave again merged in. A kMayChange flag takes
// the given value; a kMustMatch flag that differs is an ag::Error "<command> --resume: --d-model was 32
// in the saved run but 64 now; a resumed run keeps its settings (<may_change>). Drop --d-model or
// start a new run with --out." Both JSONs are settings_to_json's.
nlohmann::json merge_resumed_settings(const std::vector<SettingSpec>& specs, const FlagGiven& was_given,
                                      const nlohmann::json& given, nlohmann::json saved, const std::string& command,
                                      const std::string& may_change);

// The settings of `given` with those the user gave again merged into `saved`, as
// merge_resumed_settings says, then every range checked. Fields the list does not name are saved's.
template <typename Options>
Options resume_settings(const Options& given, const FlagGiven& was_given, const Options& saved,
                        const std::string& command, const std::string& may_change);

// A file's JSON (settings_to_json's layout) that is not an object, or whose settings are out of range,
// is an ag::Error naming `where` ("run/checkpoint.safetensors: options") and the key.
void check_saved_settings(const std::vector<SettingSpec>& specs, const nlohmann::json& values, const std::string& where);
// The settings a file keeps (a checkpoint's), read into a default Options after check_saved_settings;
// a missing key or a value of the wrong type is an ag::Error naming `where` too. Where Options has
// a validate() (the checks of the settings as a whole), it must pass, its message after `where`.
template <typename Options>
Options read_saved_settings(const nlohmann::json& values, const std::string& where);

// For a program called as a library (a test, a benchmark) rather than from its command line: a
// setting counts as given when `o` holds another value than a default-constructed Options does.
template <typename Options>
FlagGiven given_unless_default(const Options& o);

// Every setting of `o` at its key.
template <typename Options>
nlohmann::json settings_to_json(const Options& o) {
  nlohmann::json j = nlohmann::json::object();
  Options::settings(o, [&j](const auto& field, const SettingSpec& spec) {
    j[nlohmann::json::json_pointer(spec.key)] = field;
  });
  return j;
}

// Reads every setting of `o` from `j` (settings_to_json's layout), after check_settings; what the
// list does not name (an output directory, say) is left as it was. A missing key or a value of the
// wrong type throws nlohmann::json::exception, for the program to say which file was damaged; `o`
// is then unchanged.
template <typename Options>
void settings_from_json(const nlohmann::json& j, Options& o) {
  check_settings(setting_specs<Options>(), j);
  Options read = o;
  Options::settings(read, [&j](auto& field, const SettingSpec& spec) {
    j.at(nlohmann::json::json_pointer(spec.key)).get_to(field);
  });
  o = std::move(read);
}

template <typename Options>
Options resume_settings(const Options& given, const FlagGiven& was_given, const Options& saved,
                        const std::string& command, const std::string& may_change) {
  Options o = saved;
  settings_from_json(merge_resumed_settings(setting_specs<Options>(), was_given, settings_to_json(given),
                                            settings_to_json(saved), command, may_change),
                     o);
  return o;
}

[[noreturn]] void throw_damaged_settings(const std::string& where, const std::exception& e);

template <typename Options>
Options read_saved_settings(const nlohmann::json& values, const std::string& where) {
  check_saved_settings(setting_specs<Options>(), values, where);
  Options o;
  try {
    settings_from_json(values, o);
  } catch (const nlohmann::json::exception& e) {
    throw_damaged_settings(where, e);
  }
  if constexpr (requires { o.validate(); }) {
    try {
      o.validate();
    } catch (const Error& e) {
      throw Error(fmt::format("{}: {}", where, e.what()));
    }
  }
  return o;
}

template <typename Options>
FlagGiven given_unless_default(const Options& o) {
  return [now = settings_to_json(o), defaults = settings_to_json(Options{})](const std::string& flag) {
    const nlohmann::json::json_pointer at(find_setting(setting_specs<Options>(), flag).key);
    return now[at] != defaults[at];
  };
}

}  // namespace ag::train
