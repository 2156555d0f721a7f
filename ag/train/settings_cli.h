// The command-line flags of a settings list (settings.h), for programs that parse with CLI11.
//
// CLI11 is header-only and no dependency of ag_train: a program that includes this header links
// CLI11::CLI11 itself (find_package(CLI11)), as the bundled examples do.
#pragma once
#include <CLI/CLI.hpp>
#include <type_traits>
#include <vector>

#include "ag/core/error.h"
#include "ag/train/settings.h"

namespace ag::train {

template <typename T>
constexpr bool is_list = false;
template <typename T>
constexpr bool is_list<std::vector<T>> = true;

// Registers a flag for every setting of `o` that has one, bound to its field: a bool is a switch
// (--norm-first), anything else takes a value and shows its default in --help. A number is range
// checked later, by check_settings (so a --config file and a checkpoint are held to the same ranges).
template <typename Options>
void add_setting_flags(CLI::App& app, Options& o) {
  Options::settings(o, [&app](auto& field, const SettingSpec& spec) {
    using T = std::decay_t<decltype(field)>;
    if (spec.flag.empty()) return;
    CLI::Option* option = nullptr;
    if constexpr (std::is_same_v<T, bool>) {
      option = app.add_flag(spec.flag, field, spec.help);
    } else {
      if constexpr (std::is_arithmetic_v<T>) {
        if (spec.parse) {
          const auto parse = [&field, read = spec.parse](const std::string& text) {
            try {
              field = static_cast<T>(read(text));
            } catch (const Error& e) {
              throw CLI::ValidationError(e.what());  // reported by CLI11 like any other bad flag
            }
          };
          option = app.add_option_function<std::string>(spec.flag, parse, spec.help);
        }
      }
      if (option == nullptr) {
        option = app.add_option(spec.flag, field, spec.help);
        // An empty list's default would show as "=[]"; its help says what none means instead.
        bool shown = true;
        if constexpr (is_list<T>) shown = !field.empty();
        if (shown) option->capture_default_str();
      }
    }
    if (!spec.choices.empty()) option->check(CLI::IsMember(spec.choices));
    if (spec.existing_file) option->check(CLI::ExistingFile);
    if (!spec.group.empty()) option->group(spec.group);
  });
}

}  // namespace ag::train
