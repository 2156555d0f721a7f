// Labelled texts for a classifier, in the two layouts people keep them in:
//
//   a folder per class       DIR/{label}/*.txt, the layout of Keras's text_dataset_from_directory
//                            and scikit-learn's load_files: one text per file, the class is the
//                            folder's name
//   a label<TAB>text file    one text a line; inside the text "\\", "\t" and "\n" stand for a
//                            backslash, a tab and a line break (so a text may hold all three)
//
//   ag::data::LabelledTexts data = ag::data::read_labelled_texts("spam/train", {.mail = true});
//   std::cerr << data.report.summary() << "\n";   // what was repaired or skipped, never silently
//
// Classes are numbered in sorted name order, as Keras does. Nothing is dropped silently: a file that
// cannot be read is skipped and named in the report, bytes that are not UTF-8 become U+FFFD and are
// counted, blank lines of a TSV are counted. What cannot be meant is an ag::Error naming the file
// (and line): a missing path, a folder with no class folders, an empty class folder, a TSV line
// without a tab or with an empty label.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ag/data/mail.h"

namespace ag::data {

struct LabelledReadOptions {
  bool mail = false;  // the files are raw e-mail: read them with mail_to_text (folder layout only)
  std::vector<std::string> mail_headers = {};  // headers mail_to_text keeps besides the subject
};

struct LabelledReadReport {
  int64_t texts = 0;                 // texts read
  int64_t repaired = 0;              // texts with bytes that were not UTF-8 (now U+FFFD)
  int64_t blank_lines = 0;           // blank lines of a TSV, skipped
  int64_t other_files = 0;           // entries that are neither class folders nor .txt files in one (left alone)
  std::vector<std::string> skipped;  // "path: why" for each file that could not be read
  MailCleaning mail;                 // with LabelledReadOptions::mail

  // One paragraph for the log: counts that are not zero and the first few skipped files.
  std::string summary() const;
};

struct LabelledTexts {
  std::vector<std::string> classes;  // sorted; a target is an index into it
  std::vector<std::string> texts;    // valid UTF-8
  std::vector<int64_t> targets;      // one per text
  LabelledReadReport report;
};

// A folder of class folders, or a label<TAB>text file, told apart by what `path` is.
LabelledTexts read_labelled_texts(const std::string& path, const LabelledReadOptions& options = {});
LabelledTexts read_text_folder(const std::string& dir, const LabelledReadOptions& options = {});
LabelledTexts read_labelled_tsv(const std::string& path);

// The text of a label<TAB>text line: "\\" -> "\", "\t" -> tab, "\n" -> line break; any other
// backslash is kept as it is. And back: unescape_tsv_text(escape_tsv_text(x)) == x for any x.
std::string unescape_tsv_text(std::string_view text);
std::string escape_tsv_text(std::string_view text);

}  // namespace ag::data
