// The test suites' entry point: every test case linked in, run by Catch2 (catch_session.h).
#include "catch_session.h"

int main(int argc, char** argv) { return ag::test::run_catch_session(argc, argv); }
