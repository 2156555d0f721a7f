// Reading corpora: parallel text (two aligned files, or one tab-separated file) and monolingual text.
//
//   auto corpus = ag::data::read_parallel("train.de.gz", "train.en.gz", {.max_chars = 200});
//   fmt::print("{}\n", corpus.stats.summary());   // "29000 pairs read, 28950 kept, 12 empty, 38 too long"
//
// Files may be plain or gzip-compressed, with "\n" or "\r\n" line endings and an optional UTF-8 byte
// order mark (see text_file.h). Misaligned files are an error, never silently truncated; pairs the
// filter removes are counted in `stats`, so nothing is lost without the user being told.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace ag::data {

// One sentence and its translation (or, for the built-in tasks, an input and its expected output).
struct TextPair {
  std::string src;
  std::string tgt;
  bool operator==(const TextPair&) const = default;
};

struct FilterOptions {
  bool drop_empty = true;  // drop pairs where either side is empty or only whitespace
  size_t max_chars = 0;    // drop pairs where either side has more code points than this; 0 = no limit
};

// What the reader did: every line read is kept or counted under exactly one reason.
struct CorpusStats {
  size_t read = 0;
  size_t kept = 0;
  size_t empty = 0;     // dropped: a side was empty
  size_t too_long = 0;  // dropped: a side was longer than max_chars
  std::string summary() const;
};

struct ParallelCorpus {
  std::vector<TextPair> pairs;
  CorpusStats stats;
};

struct MonolingualCorpus {
  std::vector<std::string> lines;
  CorpusStats stats;
};

// Line i of `src_path` is paired with line i of `tgt_path`; different line counts are an error that
// names both files and both counts.
ParallelCorpus read_parallel(const std::string& src_path, const std::string& tgt_path,
                             const FilterOptions& filter = {});

// One pair per line, "source<TAB>target". Further columns (such as the attribution column of
// Tatoeba exports) are ignored; a line without a tab is an error naming the file and line.
ParallelCorpus read_tsv(const std::string& path, const FilterOptions& filter = {});

// One sentence per line, for language modelling.
MonolingualCorpus read_monolingual(const std::string& path, const FilterOptions& filter = {});

// Throws ag::Error "<a> has N lines but <b> has M lines" unless the counts agree.
void check_same_line_count(const std::string& name_a, size_t lines_a, const std::string& name_b, size_t lines_b);

}  // namespace ag::data
