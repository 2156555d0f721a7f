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
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

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
  std::string program_;
  CLI::App app_;
  std::vector<std::pair<CLI::App*, std::function<int()>>> commands_;
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
