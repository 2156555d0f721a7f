// Reading labelled texts from class folders or label<TAB>text files; see labelled_text.h.
#include "ag/data/labelled_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "ag/core/error.h"
#include "ag/data/utf8.h"

namespace ag::data {
namespace {

namespace fs = std::filesystem;

// The bytes of a file, or the reason it cannot be read.
bool read_bytes(const fs::path& path, std::string& bytes, std::string& why) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = std::strerror(errno);
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    why = "read error";
    return false;
  }
  bytes = std::move(buffer).str();
  return true;
}

// Valid UTF-8 from any bytes, counting the texts that needed it.
std::string as_utf8(std::string_view bytes, LabelledReadReport& report) {
  int64_t replaced = 0;
  std::string text = repair_utf8(bytes, replaced);
  report.repaired += replaced > 0;
  return text;
}

bool is_txt(const fs::path& path) { return path.extension() == ".txt"; }

}  // namespace

std::string LabelledReadReport::summary() const {
  std::string out = fmt::format("{} texts", texts);
  if (repaired > 0) out += fmt::format(", {} with bytes that were not UTF-8 (replaced by U+FFFD)", repaired);
  if (blank_lines > 0) out += fmt::format(", {} blank lines skipped", blank_lines);
  if (other_files > 0) out += fmt::format(", {} entries that are not .txt files in class folders left alone", other_files);
  if (!skipped.empty()) {
    out += fmt::format(", {} unreadable files skipped:", skipped.size());
    for (size_t i = 0; i < std::min<size_t>(skipped.size(), 5); ++i) out += "\n  " + skipped[i];
    if (skipped.size() > 5) out += fmt::format("\n  ... and {} more", skipped.size() - 5);
  }
  if (mail.messages > 0) out += "\nmail: " + mail.summary();
  return out;
}

std::string unescape_tsv_text(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (text[i] == '\\' && (next == '\\' || next == 't' || next == 'n')) {
      out += next == 't' ? '\t' : next == 'n' ? '\n' : '\\';
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string escape_tsv_text(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\t') out += "\\t";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

LabelledTexts read_text_folder(const std::string& dir, const LabelledReadOptions& options) {
  AG_CHECK(fs::is_directory(dir), "{} is not a folder", dir);
  LabelledTexts data;
  std::vector<fs::path> class_dirs;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    // Hidden folders (".git", ".ipynb_checkpoints") are not classes.
    if (entry.is_directory() && !entry.path().filename().string().starts_with(".")) class_dirs.push_back(entry.path());
    else ++data.report.other_files;
  }
  std::sort(class_dirs.begin(), class_dirs.end());
  AG_CHECK(!class_dirs.empty(), "{} holds no class folders; put the texts of each class in {}/<class>/*.txt", dir,
           dir);
  for (const fs::path& class_dir : class_dirs) {
    std::vector<fs::path> files;
    for (const fs::directory_entry& entry : fs::directory_iterator(class_dir)) {
      if (!entry.is_directory() && is_txt(entry.path())) files.push_back(entry.path());
      else ++data.report.other_files;
    }
    AG_CHECK(!files.empty(), "the class folder {} holds no .txt file; add its texts or remove it", class_dir.string());
    std::sort(files.begin(), files.end());  // the same order on every file system
    const auto label = static_cast<int64_t>(data.classes.size());
    int64_t ignored = 0;  // a folder name that is not UTF-8 is still a usable class name once repaired
    data.classes.push_back(repair_utf8(class_dir.filename().string(), ignored));
    for (const fs::path& file : files) {
      std::string bytes, why;
      if (!read_bytes(file, bytes, why)) {
        data.report.skipped.push_back(fmt::format("{}: {}", file.string(), why));
        continue;
      }
      data.texts.push_back(options.mail ? mail_to_text(bytes, data.report.mail, options.mail_headers) : as_utf8(bytes, data.report));
      data.targets.push_back(label);
    }
  }
  data.report.texts = static_cast<int64_t>(data.texts.size());
  AG_CHECK(!data.texts.empty(), "no file under {} could be read:\n{}", dir, data.report.summary());
  return data;
}

LabelledTexts read_labelled_tsv(const std::string& path) {
  std::string bytes, why;
  AG_CHECK(read_bytes(path, bytes, why), "cannot read {}: {}", path, why);
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.erase(0, 3);  // a UTF-8 byte order mark
  LabelledTexts data;
  std::map<std::string, std::vector<size_t>> rows_of_label;
  size_t pos = 0, line_number = 0;
  while (pos < bytes.size()) {
    const size_t end = std::min(bytes.find('\n', pos), bytes.size());
    std::string_view raw = std::string_view(bytes).substr(pos, end - pos);
    pos = end + 1, ++line_number;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    const std::string line = as_utf8(raw, data.report);
    if (line.find_first_not_of(" \t") == std::string::npos) {
      ++data.report.blank_lines;
      continue;
    }
    const size_t tab = line.find('\t');
    AG_CHECK(tab != std::string::npos, "{}:{}: no tab; each line must be label<TAB>text", path, line_number);
    AG_CHECK(tab > 0, "{}:{}: the label before the tab is empty", path, line_number);
    rows_of_label[line.substr(0, tab)].push_back(data.texts.size());
    data.texts.push_back(unescape_tsv_text(std::string_view(line).substr(tab + 1)));
  }
  AG_CHECK(!data.texts.empty(), "{} holds no label<TAB>text line", path);
  data.targets.resize(data.texts.size());
  for (const auto& [label, rows] : rows_of_label) {  // std::map: sorted, as the folder reader's classes
    for (const size_t row : rows) data.targets[row] = static_cast<int64_t>(data.classes.size());
    data.classes.push_back(label);
  }
  data.report.texts = static_cast<int64_t>(data.texts.size());
  return data;
}

LabelledTexts read_labelled_texts(const std::string& path, const LabelledReadOptions& options) {
  AG_CHECK(fs::exists(path), "{} does not exist; give a folder of class folders or a label<TAB>text file", path);
  if (fs::is_directory(path)) return read_text_folder(path, options);
  AG_CHECK(!options.mail, "{}: raw mail is read from a folder per class (one message per file), not from a "
           "label<TAB>text file", path);
  return read_labelled_tsv(path);
}

}  // namespace ag::data
