#include "ag/core/serialize.h"

#include <fcntl.h>
#include <unistd.h>

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <tuple>

#include "ag/core/factory.h"
#include "ag/core/json_number.h"

namespace ag {

namespace {

const char* safetensors_dtype(Dtype d) {
  switch (d) {
    case Dtype::Float32: return "F32";
    case Dtype::Float64: return "F64";
    case Dtype::Int64: return "I64";
    case Dtype::Bool: return "BOOL";
  }
  return "?";
}

Dtype parse_dtype(const std::string& s, const std::string& path, const std::string& name) {
  if (s == "F32") return kFloat32;
  if (s == "F64") return kFloat64;
  if (s == "I64") return kInt64;
  if (s == "BOOL") return kBool;
  throw Error(fmt::format("{}: tensor '{}' has dtype {}, which ag does not support (F32, F64, I64, BOOL)",
                          path, name, s));
}

uint64_t read_u64_le(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// safetensors' own limit on the header (100 MB), which also bounds what a hostile file can make the
// JSON parser allocate.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
// The __metadata__ key under which ag records the CRC32 of the data section (8 hex digits), so that
// damaged bytes are detected on load. Files written elsewhere (PyTorch) lack it and load unchecked.
constexpr const char* kChecksumKey = "ag.crc32";

std::string crc32_hex(std::string_view data) {
  const uLong crc = crc32_z(crc32_z(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(data.data()), data.size());
  return fmt::format("{:08x}", crc);
}

// The whole file, refusing what is not a regular file (a directory, /dev/zero) before reading it.
std::string read_regular_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  AG_CHECK(!ec, "cannot open {}: {}", path, ec.message());
  AG_CHECK(!fs::is_directory(status), "cannot load {}: it is a directory, not a safetensors file", path);
  AG_CHECK(fs::is_regular_file(status), "cannot load {}: not a regular file", path);
  const uintmax_t size = fs::file_size(path, ec);
  AG_CHECK(!ec, "cannot read {}: {}", path, ec.message());
  check_fits_in_memory(size, path);
  std::ifstream in(path, std::ios::binary);
  AG_CHECK(in, "cannot open {}: {}", path, std::strerror(errno));
  std::string bytes(size, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  AG_CHECK(static_cast<uintmax_t>(in.gcount()) == size, "cannot read {}: it ended after {} of its {} bytes", path,
           in.gcount(), size);
  return bytes;
}

// Parses the JSON header, refusing a key that appears twice in one object (the JSON parser would
// otherwise keep the last one silently, and two entries could then describe one tensor).
nlohmann::json parse_header(std::string_view text, const std::string& path) {
  std::vector<std::set<std::string>> keys;  // one set per open object
  auto refuse_duplicates = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    if (event == Event::object_start) keys.emplace_back();
    if (event == Event::object_end) keys.pop_back();
    if (event == Event::key && !keys.back().insert(parsed.get<std::string>()).second)
      throw Error(fmt::format("{}: corrupt header (the key '{}' appears twice)", path, parsed.get<std::string>()));
    return true;
  };
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text, refuse_duplicates);
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("{}: corrupt header (not valid JSON: {})", path, e.what()));
  }
  AG_CHECK(header.is_object(), "{}: corrupt header (expected a JSON object)", path);
  return header;
}

// One tensor's header entry, checked on its own: dtype known, shape and offsets integers, and the
// byte range exactly as long as the shape and dtype need.
struct Entry {
  std::string name;
  Dtype dtype;
  Shape shape;
  int64_t begin, end;  // in the data section
};

Entry parse_entry(const nlohmann::json& entry, const std::string& path, const std::string& name) {
  const std::string what = fmt::format("{}: tensor '{}'", path, name);
  AG_CHECK(entry.is_object() && entry.contains("dtype") && entry.contains("shape") && entry.contains("data_offsets"),
           "{}: corrupt entry (needs dtype, shape and data_offsets), got {}", what, entry.dump());
  const auto& dtype = entry["dtype"];
  const auto& shape = entry["shape"];
  const auto& offsets = entry["data_offsets"];
  AG_CHECK(dtype.is_string(), "{}: dtype must be a string, got {}", what, dtype.dump());
  AG_CHECK(shape.is_array(), "{}: shape must be an array of sizes, got {}", what, shape.dump());
  AG_CHECK(offsets.is_array() && offsets.size() == 2, "{}: data_offsets must be [begin, end], got {}", what,
           offsets.dump());
  Entry e{name, parse_dtype(dtype.get<std::string>(), path, name), {}, 0, 0};
  for (const auto& size : shape) e.shape.push_back(json_integer(size, what + ": a size in its shape", 0));
  e.begin = json_integer(offsets[0], what + ": its begin offset", 0);
  e.end = json_integer(offsets[1], what + ": its end offset", 0);
  const int64_t nbytes = static_cast<int64_t>(checked_nbytes(checked_numel(e.shape, what), element_size(e.dtype), what));
  AG_CHECK(e.begin <= e.end && e.end - e.begin == nbytes, "{} of shape {} and dtype {} needs {} bytes but lies at "
           "bytes [{}, {})", what, shape_str(e.shape), dtype.get<std::string>(), nbytes, e.begin, e.end);
  return e;
}

// As the format requires: the byte ranges, in order, tile the data section exactly, with no gap,
// overlap or trailing bytes, so no two tensors share bytes and no byte lies outside the file.
void check_layout(std::vector<Entry>& entries, size_t data_size, const std::string& path) {
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
  });
  int64_t covered = 0;
  for (const Entry& e : entries) {
    AG_CHECK(e.begin == covered, "{}: tensor '{}' lies at bytes [{}, {}) but the previous tensor ends at {}: byte "
             "ranges must follow each other without gaps or overlaps", path, e.name, e.begin, e.end, covered);
    AG_CHECK(static_cast<uint64_t>(e.end) <= data_size, "{}: tensor '{}' lies at bytes [{}, {}) but the data section "
             "has only {} bytes: the file is truncated or corrupt", path, e.name, e.begin, e.end, data_size);
    covered = e.end;
  }
  AG_CHECK(static_cast<uint64_t>(covered) == data_size, "{}: the tensors cover {} bytes but the data section has {}: "
           "the file is truncated or corrupt", path, covered, data_size);
}

// Why a write failed, with what to do about the common causes.
std::string write_failure(int error) {
  std::string reason = std::strerror(error);
  if (error == EFBIG) reason += " (the file size limit, `ulimit -f`, or the largest file the file system takes)";
  if (error == ENOSPC || error == EDQUOT) reason += " (free some space, or write elsewhere)";
  return reason;
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  // Every failure removes the temporary and says which step failed and why; `path` itself is only
  // ever replaced by the rename, so whatever it held is still there.
  const auto fail = [&](int fd, int error, const std::string& step) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    throw Error(fmt::format("cannot save {}: {}: {}; {}", path, step, write_failure(error),
                            std::filesystem::exists(path) ? "its previous version is intact" : "nothing was saved"));
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) fail(fd, errno, "cannot create " + tmp);
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n == 0 ? EIO : errno;  // a regular file never takes 0 bytes of a non-empty write
      fail(fd, error, fmt::format("writing {} stopped after {} of {} bytes", tmp, written, bytes.size()));
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) fail(fd, errno, "flushing " + tmp + " to disk");
  // close reports a write the system had deferred (on a network file system, say).
  if (::close(fd) != 0) fail(-1, errno, "closing " + tmp);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) fail(-1, errno, "renaming " + tmp + " over it");
}

void save_safetensors(const std::string& path, const TensorMap& tensors, const Metadata& metadata) {
  nlohmann::json header = nlohmann::json::object();
  std::string data;
  for (const auto& [name, t] : tensors) {
    AG_CHECK(t.defined(), "save_safetensors: tensor '{}' is undefined", name);
    Tensor c = t.detach().contiguous();
    size_t nbytes = static_cast<size_t>(c.numel()) * element_size(c.dtype());
    header[name] = {{"dtype", safetensors_dtype(c.dtype())},
                    {"shape", c.sizes()},
                    {"data_offsets", {data.size(), data.size() + nbytes}}};
    data.append(static_cast<const char*>(c.impl()->storage->data()) + c.storage_offset() * element_size(c.dtype()), nbytes);
  }
  AG_CHECK(!metadata.count(kChecksumKey), "save_safetensors: the metadata key '{}' is reserved for ag's checksum",
           kChecksumKey);
  nlohmann::json meta = metadata;
  meta[kChecksumKey] = crc32_hex(data);
  header["__metadata__"] = meta;
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // keep the data 8-byte aligned
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((static_cast<uint64_t>(text.size()) >> (8 * i)) & 0xff);
  write_file_atomically(path, bytes + text + data);
}

SafetensorsFile load_safetensors(const std::string& path) {
  const std::string bytes = read_regular_file(path);
  AG_CHECK(bytes.size() >= 8, "{}: not a safetensors file (only {} bytes; it may be truncated)", path, bytes.size());
  const uint64_t header_size = read_u64_le(reinterpret_cast<const unsigned char*>(bytes.data()));
  AG_CHECK(header_size <= bytes.size() - 8, "{}: corrupt or truncated: the header claims {} bytes but the file "
           "has {} after the length field", path, header_size, bytes.size() - 8);
  AG_CHECK(header_size <= kMaxHeaderBytes, "{}: the header claims {} bytes, more than the format allows ({})", path,
           header_size, kMaxHeaderBytes);
  AG_CHECK(header_size > 0 && bytes[8] == '{', "{}: corrupt header (it must be a JSON object starting with '{{')",
           path);
  const nlohmann::json header = parse_header(std::string_view(bytes).substr(8, header_size), path);
  const std::string_view data = std::string_view(bytes).substr(8 + header_size);

  SafetensorsFile file;
  std::vector<Entry> entries;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      AG_CHECK(entry.is_object(), "{}: __metadata__ must map strings to strings", path);
      for (const auto& [key, value] : entry.items()) {
        AG_CHECK(value.is_string(), "{}: __metadata__ must map strings to strings, but '{}' holds {}", path, key,
                 value.dump());
        file.metadata.emplace(key, value.get<std::string>());
      }
    } else {
      entries.push_back(parse_entry(entry, path, name));
    }
  }
  check_layout(entries, data.size(), path);
  if (auto it = file.metadata.find(kChecksumKey); it != file.metadata.end()) {
    const std::string actual = crc32_hex(data);
    AG_CHECK(it->second == actual, "{}: the tensor data is damaged: its CRC32 is {} but the file recorded {} when "
             "it was saved", path, actual, it->second);
    file.metadata.erase(it);
  }
  for (const Entry& e : entries) {
    Tensor t = empty(e.shape, e.dtype);
    if (e.end > e.begin) std::memcpy(t.impl()->storage->data(), data.data() + e.begin, e.end - e.begin);
    file.tensors.emplace(e.name, t);
  }
  return file;
}

}  // namespace ag
