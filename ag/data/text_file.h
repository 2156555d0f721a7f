// Reading and writing text files one sentence a line, plain or gzip-compressed.
//
// Every reader in ag::data goes through `read_lines`, so every corpus gets the same care: a missing
// file, invalid UTF-8 or a corrupt .gz is an ag::Error naming the file (and the line), a UTF-8 byte
// order mark at the start is dropped, and Windows line endings ("\r\n") are read as "\n".
#pragma once
#include <istream>
#include <string>
#include <vector>

namespace ag::data {

// The lines of a text file, without their line endings. Gzip input is recognised by its content,
// not its name (zlib reads plain files through the same call). A final line without "\n" counts;
// the empty "line" after a final "\n" does not.
std::vector<std::string> read_lines(const std::string& path);

// The same for a stream (standard input); `name` is what error messages call it.
std::vector<std::string> read_lines(std::istream& in, const std::string& name);

// Splits already-read text into lines with the rules above; `name` is used in error messages.
std::vector<std::string> split_lines(std::string_view text, const std::string& name);

// Writes one line per element, "\n"-terminated; gzip-compressed when `path` ends in ".gz".
void write_lines(const std::string& path, const std::vector<std::string>& lines);

}  // namespace ag::data
