// ag-score: BLEU and chrF of a system's output against one or more references, like sacreBLEU.
//
//   ag-score ref.de -i hyp.de              # BLEU and chrF2, with their signatures
//   cat hyp.de | ag-score ref1.de ref2.de  # hypothesis on standard input, two reference streams
//   ag-score ref.de -i hyp.de --json -w 2  # machine-readable
//
// Files are one segment per line, UTF-8, plain or gzip. Scores reproduce sacreBLEU 2.6.0's defaults.
#include <CLI/CLI.hpp>
#include <iostream>

#include "ag/data/score_files.h"
#include "ag/train/run_program.h"

int main(int argc, char** argv) {
  CLI::App app{"Score a hypothesis file against reference files with BLEU and chrF (sacreBLEU-compatible)."};
  ag::data::ScoreFilesOptions options;
  app.add_option("references", options.references, "reference files, one stream each, aligned with the hypothesis")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("-i,--input", options.hypothesis, "hypothesis file; '-' or absent reads standard input");
  app.add_option("-m,--metrics", options.metrics, "metrics to compute")
      ->check(CLI::IsMember({"bleu", "chrf"}))
      ->capture_default_str();
  app.add_flag("-l,--lowercase", options.lowercase, "compare case-insensitively (Unicode-aware)");
  app.add_option("--tokenize", options.tokenize, "BLEU's tokenizer")
      ->check(CLI::IsMember({"13a", "none"}))
      ->capture_default_str();
  app.add_option("-w,--width", options.width, "digits after the decimal point")
      ->check(CLI::Range(0, 10))
      ->capture_default_str();
  app.add_flag("--json", options.json, "print a JSON list instead of text");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 1;  // CLI11 prints the message (or --help); every error exits 1
  }

  return ag::train::run_program("ag-score", std::cerr, [&] {
    std::cout << ag::data::score_files(options, std::cin);
    return 0;
  });
}
