// The "13a" tokenizer of mteval-v13a.pl, BLEU's standard tokenizer, as sacreBLEU implements it.
//
//   tokenize_13a("Hello, world!")          == "Hello , world !"
//   tokenize_13a("It costs 1,000.50$.")    == "It costs 1,000.50 $ ."
//   tokenize_13a("pages 10-20, don't")     == "pages 10 - 20 , don't"
//
// It unescapes &quot; &amp; &lt; &gt; (not &apos;), splits off punctuation and symbols, splits "."
// and "," unless they sit between digits, splits "-" only after a digit, and collapses whitespace.
// This is a tokenizer for scoring only: it is not reversible and models never see it.
#pragma once
#include <string>
#include <string_view>

namespace ag::data {

std::string tokenize_13a(std::string_view line);

}  // namespace ag::data
