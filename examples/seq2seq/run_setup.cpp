// Opening a run on rank 0 and sending the other ranks what they need (see run_setup.h).
#include "run_setup.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ag/core/error.h"
#include "ag/core/generator.h"
#include "ag/core/parallel.h"
#include "ag/distributed/collectives.h"

namespace seq2seq {

namespace fs = std::filesystem;
namespace dist = ag::distributed;

namespace {

// Rank 0, or a single process: the run directory and the settings, fresh or from the checkpoint.
RunSetup open_run(const TrainOptions& given, const FlagGiven& was_given, std::ostream& log) {
  RunSetup run;
  run.options = given;
  if (!given.resume.empty()) {
    run.run_dir = ag::train::RunDir::resume(given.resume, run_files(), log).path();
    run.saved = read_checkpoint(run.run_dir);
    run.options = run.saved->options;
    merge_resume_options(was_given, given, run.options);
  } else {
    finish_train_options(run.options, was_given);
    run.run_dir = ag::train::RunDir::fresh(run.options.out, run_files(), run.options.force, log).path();
  }
  return run;
}

void set_threads_and_seed(const TrainOptions& o) {
  ag::set_num_threads(resolve_threads(o.threads));
  ag::manual_seed(o.seed);
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  AG_CHECK(in, "train: cannot read {}", path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// A directory of this process's own under the system's temporary directory, removed with what it
// holds when it goes: where a rank other than 0 puts the files rank 0 sent, to read them once.
class PrivateDir {
 public:
  PrivateDir() {
    std::string pattern = (fs::temp_directory_path() / "seq2seq-rank-XXXXXX").string();
    AG_CHECK(mkdtemp(pattern.data()), "train: cannot make a temporary directory in {}",
             fs::temp_directory_path().string());
    path_ = pattern;
  }
  ~PrivateDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  PrivateDir(const PrivateDir&) = delete;
  PrivateDir& operator=(const PrivateDir&) = delete;
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

// Rank 0: a JSON header (settings, vocabularies, file names), then each named file's bytes.
void send_run(const RunSetup& run) {
  std::vector<std::string> files;
  for (const Language* language : {&run.data.src, &run.data.tgt})
    if (!language->spm_model.empty()) files.push_back(language->spm_model);
  if (run.saved) files.push_back(kCheckpointFile);
  std::string header = nlohmann::json{{"options", to_json(run.options)},
                                      {"run_dir", run.run_dir},
                                      {"src", to_json(run.data.src)},
                                      {"tgt", to_json(run.data.tgt)},
                                      {"files", files}}
                           .dump();
  dist::broadcast_string(header, 0);
  for (const std::string& name : files) {
    std::string bytes = read_bytes((fs::path(run.run_dir) / name).string());
    dist::broadcast_string(bytes, 0);
  }
}

// The other ranks: what send_run sent, then the data, encoded as rank 0 encoded it.
RunSetup receive_run(std::ostream& log) {
  std::string header;
  dist::broadcast_string(header, 0);
  const nlohmann::json j = nlohmann::json::parse(header);
  PrivateDir dir;
  for (const std::string& name : j.at("files").get<std::vector<std::string>>()) {
    std::string bytes;
    dist::broadcast_string(bytes, 0);
    const fs::path path = fs::path(dir.path()) / name;
    std::ofstream(path, std::ios::binary) << bytes;
    AG_CHECK(fs::file_size(path) == bytes.size(), "train: cannot write {} (is the disk full?)", path.string());
  }
  RunSetup run;
  run.options = train_options_from_json(j.at("options"));
  run.run_dir = j.at("run_dir").get<std::string>();
  set_threads_and_seed(run.options);
  std::pair<Language, Language> languages{language_from_json(j.at("src"), dir.path()),
                                          language_from_json(j.at("tgt"), dir.path())};
  if (fs::exists(fs::path(dir.path()) / kCheckpointFile)) {
    run.saved = read_checkpoint(dir.path());
    run.saved->options = run.options;  // merged with the command line on rank 0
  }
  run.data = prepare_training_data(run.options.data, run.options.model, run.options.seed, dir.path(),
                                   std::move(languages), log);
  return run;
}

}  // namespace

int resolve_threads(int requested) { return requested > 0 ? requested : ag::default_num_threads(); }

RunSetup set_up_run(const TrainOptions& given, const FlagGiven& was_given, std::ostream& log) {
  if (dist::rank() != 0) return receive_run(log);
  RunSetup run = open_run(given, was_given, log);
  set_threads_and_seed(run.options);
  std::optional<std::pair<Language, Language>> languages;
  if (run.saved) languages.emplace(run.saved->src, run.saved->tgt);
  run.data = prepare_training_data(run.options.data, run.options.model, run.options.seed, run.run_dir,
                                   std::move(languages), log);
  if (dist::world_size() > 1) send_run(run);
  return run;
}

}  // namespace seq2seq
