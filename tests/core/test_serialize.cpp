// safetensors save/load: round trip of every dtype, metadata, atomic replacement, and refusal of
// truncated or corrupted files with a message naming the problem.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "ag/ag.h"
#include "data/temp_dir.h"

using namespace ag;
namespace fs = std::filesystem;

namespace {
std::string temp_path(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / "ag_test_serialize";
  fs::create_directories(dir);
  return (dir / name).string();
}
std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}
}  // namespace

TEST_CASE("safetensors round-trips every dtype, views and metadata", "[serialize]") {
  std::string path = temp_path("round_trip.safetensors");
  TensorMap tensors{{"weight", arange(6).reshape({2, 3}).t()},  // a non-contiguous view
                    {"double", tensor({1.5, -2.25}, kFloat64)},
                    {"ids", arange(4, kInt64)},
                    {"mask", from_vector(std::vector<bool>{true, false}, {2})},
                    {"scalar", scalar_tensor(3.0)}};
  save_safetensors(path, tensors, {{"format", "pt"}, {"step", "12"}});
  SafetensorsFile loaded = load_safetensors(path);
  REQUIRE(loaded.tensors.size() == tensors.size());
  for (const auto& [name, t] : tensors) {
    INFO(name);
    CHECK(loaded.tensors.at(name).dtype() == t.dtype());
    CHECK(loaded.tensors.at(name).sizes() == t.sizes());
    CHECK(loaded.tensors.at(name).to_vector<double>() == t.to_vector<double>());
  }
  CHECK(loaded.metadata.at("step") == "12");
  // The header length is the first 8 bytes, and the data starts 8-byte aligned.
  std::string bytes = read_bytes(path);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  CHECK(n % 8 == 0);
  CHECK(bytes[8] == '{');
}

TEST_CASE("a truncated or corrupted safetensors file is refused, never half-read", "[serialize]") {
  std::string path = temp_path("good.safetensors"), bad = temp_path("bad.safetensors");
  save_safetensors(path, {{"w", ones({16, 16})}});
  std::string bytes = read_bytes(path);

  write_bytes(bad, bytes.substr(0, bytes.size() - 10));
  CHECK_THROWS_WITH(load_safetensors(bad), Catch::Contains("truncated or corrupt") && Catch::Contains("'w'"));
  write_bytes(bad, bytes.substr(0, 5));
  CHECK_THROWS_WITH(load_safetensors(bad), Catch::Contains("not a safetensors file"));
  std::string garbled = bytes;
  garbled[8] = '#';  // the header's opening brace
  write_bytes(bad, garbled);
  CHECK_THROWS_WITH(load_safetensors(bad), Catch::Contains("corrupt header"));
  std::string huge = bytes;
  huge[6] = '\x7f';
  write_bytes(bad, huge);
  CHECK_THROWS_WITH(load_safetensors(bad), Catch::Contains("header claims"));
  CHECK_THROWS_WITH(load_safetensors(temp_path("missing.safetensors")), Catch::Contains("cannot open"));
}

TEST_CASE("saving replaces the file atomically and leaves no temporary behind", "[serialize]") {
  // A directory of its own: ctest runs the other cases of this file at the same time, and their saves
  // into temp_path's directory have temporaries of their own while they write.
  const ag::data::testing::TempDir dir;
  std::string path = dir.path("atomic.safetensors");
  save_safetensors(path, {{"a", ones({2})}});
  save_safetensors(path, {{"a", zeros({2})}});
  CHECK(load_safetensors(path).tensors.at("a").to_vector<float>() == std::vector<float>{0, 0});
  for (const auto& entry : fs::directory_iterator(fs::path(path).parent_path()))
    CHECK(entry.path().string().find(".tmp.") == std::string::npos);
  CHECK_THROWS_WITH(save_safetensors("/nonexistent-dir/x.safetensors", {{"a", ones({1})}}), Catch::Contains("cannot save"));
}
