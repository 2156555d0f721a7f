// The outer edge of a training program: everything a user can get wrong (files, flags, checkpoints)
// arrives as an exception whose message says what to fix. run_program runs the program's body and
// turns such an exception into one line on stderr and exit code 1, never a crash or an abort.
//
//   int main(int argc, char** argv) {
//     ... parse flags ...
//     return ag::train::run_program("mytrainer", std::cerr, [&] { return train(options); });
//   }
#pragma once
#include <functional>
#include <iosfwd>
#include <string>

namespace ag::train {

// Runs body and returns its exit code. An ag::Error or a filesystem error prints
// "<program>: error: <message>" and returns 1; any other std::exception is reported as unexpected
// (a bug to report) and returns 1 too.
int run_program(const std::string& program, std::ostream& err, const std::function<int()>& body);

}  // namespace ag::train
