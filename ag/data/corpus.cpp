// Corpus readers; see corpus.h.
#include "ag/data/corpus.h"

#include <fmt/format.h>

#include "ag/core/error.h"
#include "ag/data/text_file.h"
#include "ag/data/utf8.h"

namespace ag::data {
namespace {

// Decides whether one pair (or one monolingual line, given twice) survives the filter, counting it.
bool keep(std::string_view a, std::string_view b, const FilterOptions& filter, CorpusStats& stats) {
  ++stats.read;
  if (filter.drop_empty && (utf8::strip(a).empty() || utf8::strip(b).empty())) {
    ++stats.empty;
    return false;
  }
  if (filter.max_chars > 0 && (utf8::length(a) > filter.max_chars || utf8::length(b) > filter.max_chars)) {
    ++stats.too_long;
    return false;
  }
  ++stats.kept;
  return true;
}

}  // namespace

std::string CorpusStats::summary() const {
  return fmt::format("{} read, {} kept, {} dropped as empty, {} dropped as too long", read, kept, empty, too_long);
}

void check_same_line_count(const std::string& name_a, size_t lines_a, const std::string& name_b, size_t lines_b) {
  AG_CHECK(lines_a == lines_b, "{} has {} lines but {} has {} lines; the files must be aligned line by line", name_a,
           lines_a, name_b, lines_b);
}

ParallelCorpus read_parallel(const std::string& src_path, const std::string& tgt_path, const FilterOptions& filter) {
  std::vector<std::string> src = read_lines(src_path);
  std::vector<std::string> tgt = read_lines(tgt_path);
  check_same_line_count(src_path, src.size(), tgt_path, tgt.size());
  ParallelCorpus corpus;
  for (size_t i = 0; i < src.size(); ++i) {
    if (keep(src[i], tgt[i], filter, corpus.stats)) corpus.pairs.push_back({std::move(src[i]), std::move(tgt[i])});
  }
  return corpus;
}

ParallelCorpus read_tsv(const std::string& path, const FilterOptions& filter) {
  const std::vector<std::string> lines = read_lines(path);
  ParallelCorpus corpus;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    const size_t tab = line.find('\t');
    AG_CHECK(tab != std::string_view::npos, "{}:{}: expected 'source<TAB>target' but the line has no tab", path, i + 1);
    const std::string_view src = line.substr(0, tab);
    const std::string_view tgt = line.substr(tab + 1, line.find('\t', tab + 1) - tab - 1);
    if (keep(src, tgt, filter, corpus.stats)) corpus.pairs.push_back({std::string(src), std::string(tgt)});
  }
  return corpus;
}

MonolingualCorpus read_monolingual(const std::string& path, const FilterOptions& filter) {
  std::vector<std::string> lines = read_lines(path);
  MonolingualCorpus corpus;
  for (auto& line : lines) {
    if (keep(line, line, filter, corpus.stats)) corpus.lines.push_back(std::move(line));
  }
  return corpus;
}

}  // namespace ag::data
