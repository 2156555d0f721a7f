// Runs Catch2 over the test cases linked into this program. Catch2's implementation is large and
// slow to compile (under the sanitizers above all), so catch_session.cpp holds it once, and every
// suite's main() calls this instead of defining CATCH_CONFIG_MAIN or CATCH_CONFIG_RUNNER itself.
#pragma once

namespace ag::test {

// Catch2's command line (test names, tags, --reporter, ...) and its exit code: 0 when every test
// passed, else the number of failed assertions (at most 255).
int run_catch_session(int argc, char** argv);

}  // namespace ag::test
