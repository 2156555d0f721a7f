#include "ag/core/serialize.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ag/core/factory.h"
#include "ag/core/ops.h"

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

}  // namespace

void write_file_atomically(const std::string& path, const std::string& bytes) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  AG_CHECK(fd >= 0, "cannot write {}: {}", tmp, std::strerror(errno));
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string reason = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      throw Error(fmt::format("cannot write {}: {}", tmp, reason));
    }
    written += static_cast<size_t>(n);
  }
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string reason = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw Error(fmt::format("cannot save {}: {}", path, reason));
  }
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
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // keep the data 8-byte aligned
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((static_cast<uint64_t>(text.size()) >> (8 * i)) & 0xff);
  write_file_atomically(path, bytes + text + data);
}

SafetensorsFile load_safetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  AG_CHECK(in, "cannot open {}: {}", path, std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  AG_CHECK(bytes.size() >= 8, "{}: not a safetensors file (only {} bytes; it may be truncated)", path, bytes.size());
  const uint64_t header_size = read_u64_le(reinterpret_cast<const unsigned char*>(bytes.data()));
  AG_CHECK(header_size <= bytes.size() - 8, "{}: corrupt or truncated: the header claims {} bytes but the file "
           "has {} after the length field", path, header_size, bytes.size() - 8);
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.substr(8, header_size));
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("{}: corrupt header (not valid JSON: {})", path, e.what()));
  }
  AG_CHECK(header.is_object(), "{}: corrupt header (expected a JSON object)", path);
  const size_t data_start = 8 + header_size, data_size = bytes.size() - data_start;

  SafetensorsFile file;
  for (auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      try {
        file.metadata = entry.get<Metadata>();
      } catch (const nlohmann::json::exception&) {
        throw Error(fmt::format("{}: __metadata__ must map strings to strings", path));
      }
      continue;
    }
    Shape shape;
    uint64_t begin = 0, end = 0;
    Dtype dtype;
    try {
      dtype = parse_dtype(entry.at("dtype").get<std::string>(), path, name);
      shape = entry.at("shape").get<Shape>();
      auto offsets = entry.at("data_offsets").get<std::vector<uint64_t>>();
      AG_CHECK(offsets.size() == 2, "{}: tensor '{}' needs two data_offsets", path, name);
      begin = offsets[0], end = offsets[1];
    } catch (const nlohmann::json::exception& e) {
      throw Error(fmt::format("{}: corrupt entry for tensor '{}' ({})", path, name, e.what()));
    }
    for (int64_t s : shape) AG_CHECK(s >= 0, "{}: tensor '{}' has a negative dimension", path, name);
    const uint64_t expected = static_cast<uint64_t>(numel_of(shape)) * element_size(dtype);
    AG_CHECK(begin <= end && end <= data_size, "{}: tensor '{}' lies at bytes [{}, {}) but the data section has "
             "only {} bytes: the file is truncated or corrupt", path, name, begin, end, data_size);
    AG_CHECK(end - begin == expected, "{}: tensor '{}' of shape {} needs {} bytes but its range holds {}", path,
             name, shape_str(shape), expected, end - begin);
    Tensor t = empty(shape, dtype);
    if (expected) std::memcpy(t.impl()->storage->data(), bytes.data() + data_start + begin, expected);
    file.tensors.emplace(name, t);
  }
  return file;
}

}  // namespace ag
