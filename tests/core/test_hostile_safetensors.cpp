// Hostile safetensors files: each is built byte by byte as an attacker would, and each must be
// refused with an ag::Error naming the file, the tensor and the value, before anything is allocated
// or read. Shape products that overflow, floats where integers belong, overlapping or gapped byte
// ranges, duplicate keys, a directory, and damaged bytes under ag's checksum.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <limits>

#include "ag/ag.h"
#include "ag/core/json_number.h"
#include "data/temp_dir.h"

using namespace ag;
namespace fs = std::filesystem;

namespace {

const ag::data::testing::TempDir& temp_dir() {
  static const ag::data::testing::TempDir dir;
  return dir;
}
std::string temp_path(const std::string& name) { return temp_dir().path(name); }

// A file with exactly this header text and `data_bytes` bytes of data (all 0x3f: 0.74 as F32).
std::string write_file(const std::string& name, const std::string& header, size_t data_bytes) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
  bytes += header + std::string(data_bytes, '\x3f');
  const std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

}  // namespace

TEST_CASE("a shape whose product overflows int64 is refused, not wrapped", "[serialize][hostile]") {
  // (2^58 + 63) x 64 wraps to 63 x 64 elements in int64: the range below fits that wrapped count.
  const std::string path = write_file("overflow.safetensors",
      R"({"embedding.weight":{"dtype":"F32","shape":[288230376151711807,64],"data_offsets":[0,16128]}})", 16128);
  CHECK_THROWS_WITH(load_safetensors(path), Catch::Contains("'embedding.weight'") &&
                                                Catch::Contains("288230376151711807") && Catch::Contains("2^60"));
  const std::string negative = write_file("negative.safetensors",
      R"({"w":{"dtype":"F32","shape":[-1,4],"data_offsets":[0,16]}})", 16);
  CHECK_THROWS_WITH(load_safetensors(negative), Catch::Contains("'w'") && Catch::Contains("must be an integer from 0"));
}

TEST_CASE("JSON numbers are sizes only when they are integers in range", "[serialize][hostile]") {
  for (const char* bad : {"2.0e19", "18446744073709551616", "4.0", "9223372036854775808"}) {
    INFO(bad);
    const std::string path = write_file("float_shape.safetensors",
        fmt::format(R"({{"w":{{"dtype":"F32","shape":[{}],"data_offsets":[0,16]}}}})", bad), 16);
    CHECK_THROWS_WITH(load_safetensors(path), Catch::Contains("'w'") && Catch::Contains("must be an integer from 0"));
  }
  // A fractional offset once read as 0 and was accepted.
  const std::string path = write_file("fractional.safetensors",
      R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0.5,16]}})", 16);
  CHECK_THROWS_WITH(load_safetensors(path), Catch::Contains("begin offset") && Catch::Contains("0.5"));
}

TEST_CASE("byte ranges must tile the data exactly: no overlap, gap or trailing bytes", "[serialize][hostile]") {
  const std::string overlap = write_file("overlap.safetensors",
      R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})",
      16);
  CHECK_THROWS_WITH(load_safetensors(overlap), Catch::Contains("'b'") && Catch::Contains("without gaps or overlaps"));
  const std::string gap = write_file("gap.safetensors",
      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})", 16);
  CHECK_THROWS_WITH(load_safetensors(gap), Catch::Contains("'a'") && Catch::Contains("previous tensor ends at 0"));
  const std::string trailing = write_file("trailing.safetensors",
      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 16);
  CHECK_THROWS_WITH(load_safetensors(trailing), Catch::Contains("cover 8 bytes but the data section has 16"));
  const std::string wrong_length = write_file("length.safetensors",
      R"({"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}})", 8);
  CHECK_THROWS_WITH(load_safetensors(wrong_length), Catch::Contains("needs 16 bytes"));
}

TEST_CASE("a key that appears twice in the header is refused", "[serialize][hostile]") {
  const std::string twice = write_file("duplicate.safetensors",
      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})",
      16);
  CHECK_THROWS_WITH(load_safetensors(twice), Catch::Contains("'a' appears twice"));
  const std::string inner = write_file("duplicate_field.safetensors",
      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"shape":[1]}})", 8);
  CHECK_THROWS_WITH(load_safetensors(inner), Catch::Contains("'shape' appears twice"));
}

TEST_CASE("a directory or a device is refused with its path, not a stream error", "[serialize][hostile]") {
  const std::string dir = temp_path("a_directory.safetensors");
  fs::create_directories(dir);
  CHECK_THROWS_WITH(load_safetensors(dir), Catch::Contains(dir) && Catch::Contains("is a directory"));
  CHECK_THROWS_WITH(load_safetensors("/dev/zero"), Catch::Contains("/dev/zero") && Catch::Contains("not a regular"));
}

TEST_CASE("files ag writes carry a CRC32 of their data, checked on load", "[serialize][hostile]") {
  const std::string path = temp_path("checksummed.safetensors");
  save_safetensors(path, {{"w", arange(16).reshape({4, 4})}}, {{"step", "3"}});
  const SafetensorsFile good = load_safetensors(path);
  CHECK(good.metadata == Metadata{{"step", "3"}});  // the checksum is ag's, not the caller's

  std::ifstream in(path, std::ios::binary);
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  bytes[bytes.size() - 3] ^= 0x01;  // one flipped bit in the last float
  std::ofstream(path, std::ios::binary) << bytes;
  CHECK_THROWS_WITH(load_safetensors(path), Catch::Contains(path) && Catch::Contains("damaged"));

  // A file without the checksum (as PyTorch writes them) still loads.
  const std::string plain = write_file("plain.safetensors", R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 8);
  CHECK(load_safetensors(plain).tensors.at("w").numel() == 2);
  CHECK_THROWS_WITH(save_safetensors(path, {{"w", ones({1})}}, {{"ag.crc32", "0"}}), Catch::Contains("reserved"));
}

TEST_CASE("json_integer reads only integers within the asked range", "[serialize][hostile]") {
  using nlohmann::json;
  CHECK(json_integer(json::parse("42"), "n") == 42);
  CHECK(json_integer(json::parse("-7"), "n", -10, 10) == -7);
  CHECK(json_integer(json::parse("9223372036854775807"), "n") == std::numeric_limits<int64_t>::max());
  for (const char* bad : {"2.0e19", "1.5", "3.0", "9223372036854775808", "18446744073709551616", "\"5\"", "null"}) {
    INFO(bad);
    CHECK_THROWS_WITH(json_integer(json::parse(bad), "task_train"), Catch::Contains("task_train must be an integer"));
  }
  CHECK_THROWS_WITH(json_integer(json::parse("11"), "layers", 1, 10), Catch::Contains("from 1 to 10, got 11"));
  CHECK_THROWS_AS(json_integer(json::parse("-1"), "size", 0), Error);
}
