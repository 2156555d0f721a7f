// A complete training program made of the kit and nothing else (docs/train.md quotes it): a toy
// model, a run directory, checkpoints, the progress line, the metrics log, Ctrl-C and a loss curve.
// The tests check what the kit promises about such a program: a resumed run takes bit for bit the
// steps of an uninterrupted one, Ctrl-C saves and exits with 130, and a failed save loses nothing.
#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <random>
#include <sstream>
#include <unistd.h>

#include "ag/ag.h"
#include "ag/nn/dropout.h"
#include "ag/nn/embedding.h"
#include "ag/nn/functional/loss.h"
#include "ag/nn/linear.h"
#include "ag/train/train.h"
#include "tests/data/temp_dir.h"

using namespace ag;
using ag::data::testing::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kVocab = 16;  // ids 0-3 are <pad> <unk> <bos> <eos>; 4-15 are the tokens

// Sequences that walk the tokens by a fixed rule (each token follows from the one before), so a
// model that sees one token and predicts the next can learn them.
data::Dataset toy_dataset() {
  std::mt19937 rng(3);
  data::Dataset dataset;
  for (int i = 0; i < 100; ++i) {
    std::vector<int64_t> walk = {4 + static_cast<int64_t>(rng() % 12)};
    while (walk.size() < 3 + rng() % 6) walk.push_back(4 + (walk.back() - 4 + 5) % 12);
    dataset.add({walk, walk});
  }
  return dataset;
}

// The toy model: each token's embedding, dropout, and a linear layer to the next token's logits.
struct BigramImpl : nn::Module {
  BigramImpl(int64_t vocab, int64_t dim) : Module("Bigram") {
    embed = register_module("embed", nn::Embedding(vocab, dim));
    dropout = register_module("dropout", nn::Dropout(0.1));
    out = register_module("out", nn::Linear(dim, vocab));
  }
  // (B,T) int64 -> (B,T,V)
  Tensor forward(const Tensor& tokens) { return out(dropout(embed(tokens))); }

  nn::Embedding embed{nullptr};
  nn::Dropout dropout{nullptr};
  nn::Linear out{nullptr};
};
AG_MODULE(Bigram);

const train::FileFormat kFormat{"toy-bigram-1", "toy"};
const train::RunFiles kFiles{.program = "toy", .checkpoint = "checkpoint.safetensors",
                             .outputs = {"metrics.jsonl", "loss.svg"}};

// Trains `model` in the run directory `dir` (a fresh run, or the one saved there) until `max_steps`;
// returns the program's exit code.
int fit(Bigram model, const std::string& dir, bool resume, int64_t max_steps, std::ostream& log) {
  train::RunDir run = resume ? train::RunDir::resume(dir, kFiles, log)
                             : train::RunDir::fresh(dir, kFiles, /*force=*/false, log);
  std::optional<train::Checkpoint> saved;
  if (resume) saved = train::Checkpoint::load(run.file(kFiles.checkpoint), kFormat);
  nlohmann::json options = {{"lr", 1e-2}, {"batch_size", 8}};  // a real program: its flags
  if (saved) options = saved->options();                      // a resumed run keeps its settings

  const data::Dataset dataset = toy_dataset();
  data::DataLoader loader(dataset, {.batch_size = options["batch_size"].get<size_t>(), .seed = 1});
  optim::AdamW optimizer(model->parameters(), optim::AdamWOptions(options["lr"].get<double>()));
  optim::StepLR schedule(optimizer, /*step_size=*/20, /*gamma=*/0.5);
  train::TrainState state;
  if (saved) {
    saved->restore({*model, optimizer, &schedule});  // weights, Adam's moments, the lr, the generator
    state = saved->state();
    loader.restore(state.loader);
  }
  train::MetricsLog metrics(run.file("metrics.jsonl"), saved ? std::optional(state.step) : std::nullopt);
  train::Progress progress(log, /*is_terminal=*/false, "items/s");
  train::Stopwatch clock(state.elapsed_s);
  train::InterruptGuard interrupt;
  double items = 0;
  auto save = [&] {
    state.loader = loader.position();
    state.elapsed_s = clock.elapsed_s();
    train::save_checkpoint(run.file(kFiles.checkpoint), kFormat, {*model, optimizer, &schedule}, state, options);
  };

  while (state.step < max_steps) {
    std::optional<data::Batch> batch = loader.next();
    if (!batch) continue;  // the epoch is over; the next call starts the next one
    model->train();
    optimizer.zero_grad();
    Tensor logits = model(batch->tgt_in_tensor());  // (B,T,V)
    Tensor loss = nn::functional::cross_entropy(logits.reshape({-1, kVocab}), batch->tgt_out_tensor().reshape({-1}),
                                                data::Vocab::kPad);
    loss.backward();
    const double lr = schedule.get_last_lr().front();
    optimizer.step();
    schedule.step();
    ++state.step;
    state.train_losses.push_back(loss.item());
    items += static_cast<double>(batch->size);
    progress.update({.step = state.step, .loss = train::mean_of_last(state.train_losses, 20), .lr = lr,
                     .rate = items / clock.session_s(), .elapsed_s = clock.elapsed_s()});
    if (state.step % 10 == 0) {
      metrics.append({{"step", state.step}, {"train_loss", train::mean_of_last(state.train_losses, 10)}});
      save();
    }
    if (interrupt.requested()) {
      progress.break_line();
      save();
      log << "stopped at step " << state.step << "; continue with --resume " << dir << "\n";
      return train::kInterruptedExitCode;
    }
  }
  progress.break_line();
  save();
  write_file_atomically(run.file("loss.svg"), train::loss_curve_svg(state.train_losses, {}));
  return 0;
}

// A fresh model as a program makes it, seeded so every run starts alike.
Bigram fresh_model() {
  manual_seed(7);
  return Bigram(kVocab, 16);
}

train::Checkpoint checkpoint_of(const std::string& dir) {
  return train::Checkpoint::load((fs::path(dir) / kFiles.checkpoint).string(), kFormat);
}

}  // namespace

TEST_CASE("train loop: the toy model learns and the run directory holds every report") {
  TempDir dir;
  std::ostringstream log;
  REQUIRE(fit(fresh_model(), dir.path("run"), false, 60, log) == 0);
  const train::Checkpoint saved = checkpoint_of(dir.path("run"));
  REQUIRE(saved.state().step == 60);
  const std::vector<double>& losses = saved.state().train_losses;
  CHECK(train::mean_of_last(losses, 10) < 0.5 * (losses[0] + losses[1]) / 2);
  CHECK(fs::exists(dir.path("run/loss.svg")));
  CHECK(log.str().find("step 1 | loss") != std::string::npos);  // the first progress line always shows
  std::ifstream metrics(dir.path("run/metrics.jsonl"));
  int lines = 0;
  for (std::string line; std::getline(metrics, line);) CHECK(nlohmann::json::parse(line)["step"] == 10 * ++lines);
  CHECK(lines == 6);
}

TEST_CASE("train loop: a resumed run takes bit for bit the steps of an uninterrupted one") {
  TempDir dir;
  std::ostringstream log;
  REQUIRE(fit(fresh_model(), dir.path("whole"), false, 45, log) == 0);
  // Stopped by the step limit mid-epoch (13 batches an epoch), then resumed twice.
  REQUIRE(fit(fresh_model(), dir.path("parts"), false, 17, log) == 0);
  REQUIRE(fit(fresh_model(), dir.path("parts"), true, 30, log) == 0);
  REQUIRE(fit(fresh_model(), dir.path("parts"), true, 45, log) == 0);

  const train::Checkpoint whole = checkpoint_of(dir.path("whole")), parts = checkpoint_of(dir.path("parts"));
  REQUIRE(whole.state().train_losses.size() == 45);
  CHECK(parts.state().train_losses == whole.state().train_losses);  // every loss, to the last bit
  for (const auto& [name, tensor] : whole.file().tensors())
    CHECK(tensor.to_vector<double>() == parts.file().tensors().at(name).to_vector<double>());
  // The metrics log of the resumed run holds each step once, in order.
  std::ifstream metrics(dir.path("parts/metrics.jsonl"));
  std::vector<int64_t> steps;
  for (std::string line; std::getline(metrics, line);) steps.push_back(nlohmann::json::parse(line)["step"]);
  CHECK(steps == std::vector<int64_t>{10, 20, 30, 40});
}

TEST_CASE("train loop: SIGINT inside the loop saves a checkpoint and exits with 130") {
  TempDir dir;
  std::ostringstream log;
  Bigram model = fresh_model();
  int calls = 0;
  model->register_forward_hook([&](nn::Module&, const std::vector<Tensor>&, std::vector<Tensor>&) {
    if (++calls == 5) std::raise(SIGINT);  // Ctrl-C while step 5 runs
  });
  REQUIRE(fit(model, dir.path("run"), false, 45, log) == train::kInterruptedExitCode);
  CHECK(checkpoint_of(dir.path("run")).state().step == 5);  // the step under way was finished and saved
  CHECK(log.str().find("stopped at step 5") != std::string::npos);
  CHECK_FALSE(train::InterruptGuard::requested());  // the next run starts afresh

  // And it goes on as if never stopped.
  REQUIRE(fit(fresh_model(), dir.path("run"), true, 45, log) == 0);
  REQUIRE(fit(fresh_model(), dir.path("whole"), false, 45, log) == 0);
  CHECK(checkpoint_of(dir.path("run")).state().train_losses ==
        checkpoint_of(dir.path("whole")).state().train_losses);
}

TEST_CASE("train loop: a save that fails leaves the previous checkpoint intact") {
  TempDir dir;
  std::ostringstream log;
  REQUIRE(fit(fresh_model(), dir.path("run"), false, 10, log) == 0);
  const std::string checkpoint = dir.path("run/checkpoint.safetensors");
  const auto before = fs::file_size(checkpoint);
  // The save's temporary file cannot be created (a directory stands in its place), so the next save
  // (at step 20) fails mid-way, as on a full disk.
  fs::create_directory(checkpoint + ".tmp." + std::to_string(::getpid()));
  REQUIRE_THROWS_WITH(fit(fresh_model(), dir.path("run"), true, 30, log),
                      Catch::Contains("cannot save") && Catch::Contains("its previous version is intact"));
  fs::remove(checkpoint + ".tmp." + std::to_string(::getpid()));
  CHECK(fs::file_size(checkpoint) == before);
  CHECK(checkpoint_of(dir.path("run")).state().step == 10);
  REQUIRE(fit(fresh_model(), dir.path("run"), true, 30, log) == 0);  // and the run goes on from there
  CHECK(checkpoint_of(dir.path("run")).state().step == 30);
}
