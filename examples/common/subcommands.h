// What the example programs' main() functions share: a command line of subcommands (gpt train,
// gpt sample, ...) parsed with CLI11, where every flag error exits 1 as the READMEs promise
// (CLI11's own codes are 104-109), and the chosen subcommand run inside ag::train::run_program, so
// that whatever a user gets wrong ends as one line on stderr and exit code 1.
//
//   int main(int argc, char** argv) {
//     examples::Subcommands program("forecast", "Forecast a time series ...");
//     forecast::PredictOptions predict;
//     program.add("predict", "the next values after a CSV of history", predict, forecast::add_predict_options,
//                 [&] { forecast::run_predict(predict, std::cout); return 0; });
//     return program.run(argc, argv);
//   }
#pragma once
#include <CLI/CLI.hpp>
#include <algorithm>
#include <fmt/format.h>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

#include "ag/core/error.h"
#include "ag/train/interrupt.h"
#include "ag/train/run_program.h"

namespace examples {

class Subcommands {
 public:
  Subcommands(std::string program, const std::string& description) : program_(std::move(program)), app_(description) {
    app_.require_subcommand(1);
  }

  // Adds the subcommand `name`: `add_flags` declares its flags into `options`, `run` does it and
  // returns the exit code. Returns the subcommand, to ask which flags were given.
  template <typename Options>
  CLI::App* add(const std::string& name, const std::string& help, Options& options,
                void (*add_flags)(CLI::App&, Options&), std::function<int()> run) {
    CLI::App* command = app_.add_subcommand(name, help);
    add_flags(*command, options);
    commands_.emplace_back(command, std::move(run));
    return command;
  }

  // Makes `command` (a train subcommand with --resume) refuse, beside --resume, every flag but
  // `may_change` (--threads, --max-time, or one the run itself checks against its checkpoint): a
  // resumed run takes its settings from its checkpoint, so a flag such as --epochs 40 would otherwise
  // be ignored without a word, and the user would believe the run had changed.
  void keep_settings_on_resume(CLI::App* command, std::vector<std::string> may_change) {
    may_change.push_back("--resume");
    resumable_.emplace_back(command, std::move(may_change));
  }

  // Reads the command line. Returns the exit code when the program is done already: --help (0) or
  // a flag error (1), which CLI11 has printed.
  std::optional<int> parse(int argc, char** argv) {
    try {
      app_.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      return app_.exit(e) == 0 ? 0 : 1;
    }
    return std::nullopt;
  }

  // Runs the subcommand the command line named (after parse) and returns its exit code.
  int run_parsed() const {
    for (const auto& [command, may_change] : resumable_)
      if (command->parsed()) check_resume_flags(*command, may_change);
    for (const auto& [command, run] : commands_)
      if (command->parsed()) return run();
    return 0;  // not reached: parse requires one subcommand
  }

  // parse, then run_parsed inside ag::train::run_program.
  int run(int argc, char** argv) {
    if (const std::optional<int> done = parse(argc, argv)) return *done;
    return ag::train::run_program(program_, std::cerr, [this] { return run_parsed(); });
  }

 private:
  void check_resume_flags(const CLI::App& command, const std::vector<std::string>& may_change) const {
    if (command.count("--resume") == 0) return;
    for (const CLI::Option* option : command.get_options()) {
      const std::string flag = option->get_name();
      if (option->count() == 0 || std::find(may_change.begin(), may_change.end(), flag) != may_change.end()) continue;
      std::string allowed;
      for (size_t i = 0; i + 1 < may_change.size(); ++i) allowed += (i > 0 ? ", " : "") + may_change[i];
      throw ag::Error(fmt::format("{} {} --resume: {} cannot change in a resumed run (its settings are in the "
                                  "checkpoint; the flags it takes beside --resume: {}). Drop {}, or start a new run "
                                  "with --out.",
                                  program_, command.get_name(), flag, allowed, flag));
    }
  }

  std::string program_;
  CLI::App app_;
  std::vector<std::pair<CLI::App*, std::function<int()>>> commands_;
  std::vector<std::pair<CLI::App*, std::vector<std::string>>> resumable_;
};

// The exit code of a `train` subcommand: kInterruptedExitCode when Ctrl-C stopped the run (it saved
// a checkpoint to resume from), otherwise 0 after printing `report` (a sample, a table) to stdout.
inline int finish_training(bool interrupted, const std::string& report) {
  if (interrupted) return ag::train::kInterruptedExitCode;
  std::cout << report;
  return 0;
}

// Whether standard error is a terminal, where the progress line rewrites itself in place.
inline bool stderr_is_terminal() { return isatty(STDERR_FILENO) != 0; }

}  // namespace examples
