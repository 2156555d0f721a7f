// The run directory: the one folder a training run writes everything to (checkpoints, weights, the
// metrics log, plots), and the rules that keep one run from spoiling another.
//
//   fresh run (--out DIR)        DIR is created, or must hold nothing; otherwise an error says to
//                                --resume DIR, choose another --out, or add --force
//   --force                      deletes the files the program writes (RunFiles), and only those:
//                                anything else the user keeps there stays
//   --resume DIR                 DIR must hold the checkpoint
//
// A save killed mid-write leaves a temporary file "<name>.tmp.<pid>" beside the file it was
// replacing (see ag::write_file_atomically). Opening a run directory removes those whose process
// no longer runs, saying so on the log, so a directory that holds nothing else (a run killed during
// its very first save) counts as empty and can be started again. A temporary whose process is
// running is left alone: another program may be saving there right now.
//
//   ag::train::RunFiles files{.program = "mytrain", .checkpoint = "checkpoint.safetensors",
//                             .outputs = {"metrics.jsonl", "loss.svg"}};
//   ag::train::RunDir run = resume ? ag::train::RunDir::resume(dir, files, std::cerr)
//                                  : ag::train::RunDir::fresh(dir, files, force, std::cerr);
//   save_checkpoint(run.file(files.checkpoint), ...);
#pragma once
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace ag::train {

// What a program writes into its run directories.
struct RunFiles {
  std::string program = {};               // how a run is started, for messages: "seq2seq train"
  std::string checkpoint = {};            // the file --resume reads, e.g. "checkpoint.safetensors"
  std::vector<std::string> outputs = {};  // every other file the program may write there
};

class RunDir {
 public:
  // For a fresh run: creates `path`, or checks that it holds nothing (stale temporaries aside).
  // With `force`, deletes the files of `files` instead of refusing. Throws ag::Error otherwise.
  static RunDir fresh(const std::string& path, const RunFiles& files, bool force, std::ostream& log);
  // For --resume: checks that `path` holds files.checkpoint (after removing stale temporaries).
  static RunDir resume(const std::string& path, const RunFiles& files, std::ostream& log);

  const std::string& path() const { return path_; }
  // The path of `name` inside the directory.
  std::string file(const std::string& name) const;

 private:
  explicit RunDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// The path of the file `name` that a saved file in `dir` (a checkpoint, a weights file) refers to,
// such as a tokenizer model beside it. A saved file may come from anyone, so the name is trusted no
// further than `dir` ("" for the working directory): a plain file name (no directory part, not "."
// or ".."), a regular file once links are followed (not a directory, not a device such as /dev/zero
// that never ends), still inside `dir`, of at most `max_bytes`. `what` names the file in messages
// ("SentencePiece model").
std::string file_named_in(const std::string& dir, const std::string& name, std::string_view what, uintmax_t max_bytes);

// Removes from `dir` every "<name>.tmp.<pid>" for a `name` of `files` whose process is no longer
// running, telling `log` about each; returns how many it removed. RunDir::fresh and ::resume call it.
int remove_stale_temporaries(const std::string& dir, const RunFiles& files, std::ostream& log);

}  // namespace ag::train
