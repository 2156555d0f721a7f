// Line reading over zlib; see text_file.h.
#include "ag/data/text_file.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "ag/core/error.h"
#include "ag/data/utf8.h"

namespace ag::data {
namespace {

// The whole (decompressed) content of a file. gzread passes non-gzip files through unchanged.
std::string read_all(const std::string& path) {
  AG_CHECK(!std::filesystem::is_directory(path), "cannot read '{}': it is a directory, not a text file", path);
  errno = 0;
  gzFile file = gzopen(path.c_str(), "rb");
  AG_CHECK(file != nullptr, "cannot open '{}': {}", path, std::strerror(errno ? errno : ENOENT));
  gzbuffer(file, 1 << 17);
  std::string text;
  char chunk[1 << 16];
  int n;
  while ((n = gzread(file, chunk, sizeof chunk)) > 0) text.append(chunk, static_cast<size_t>(n));
  // A truncated stream is not an error to gzread (it returns what it could decompress), so ask
  // gzerror in every case.
  int code = Z_OK;
  const std::string message = gzerror(file, &code);
  if (n < 0 || code != Z_OK) {
    const std::string reason = code == Z_ERRNO ? std::strerror(errno) : message;
    gzclose(file);
    throw Error(fmt::format("cannot read '{}': {} (is the .gz file truncated or corrupt?)", path, reason));
  }
  gzclose(file);
  return text;
}

}  // namespace

std::vector<std::string> split_lines(std::string_view text, const std::string& name) {
  constexpr std::string_view bom = "\xEF\xBB\xBF";
  if (text.starts_with(bom)) text.remove_prefix(bom.size());
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (line.ends_with('\r')) line.remove_suffix(1);
    const size_t bad = utf8::find_invalid(line);
    AG_CHECK(bad == std::string_view::npos,
             "{}:{}: invalid UTF-8 at byte {} of the line (byte 0x{:02X}); "
             "convert the file to UTF-8, e.g. with iconv",
             name, lines.size() + 1, bad + 1, static_cast<unsigned char>(line[bad]));
    lines.emplace_back(line);
    start = end + 1;
  }
  return lines;
}

std::vector<std::string> read_lines(const std::string& path) { return split_lines(read_all(path), path); }

std::vector<std::string> read_lines(std::istream& in, const std::string& name) {
  const std::string text(std::istreambuf_iterator<char>(in), {});
  AG_CHECK(!in.bad(), "cannot read {}", name);
  return split_lines(text, name);
}

void write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text.append(line).push_back('\n');
  if (path.ends_with(".gz")) {
    errno = 0;
    gzFile file = gzopen(path.c_str(), "wb");
    AG_CHECK(file != nullptr, "cannot write '{}': {}", path, std::strerror(errno ? errno : EACCES));
    const int written = text.empty() ? 0 : gzwrite(file, text.data(), static_cast<unsigned>(text.size()));
    const int closed = gzclose(file);
    AG_CHECK(written == static_cast<int>(text.size()) && closed == Z_OK, "cannot write '{}'", path);
    return;
  }
  std::ofstream out(path, std::ios::binary);
  AG_CHECK(out.good(), "cannot write '{}': {}", path, std::strerror(errno));
  out << text;
  AG_CHECK(out.good(), "cannot write '{}': {}", path, std::strerror(errno));
}

}  // namespace ag::data
