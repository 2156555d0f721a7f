// classify's training: the loss with class weights against a hand computation, the batches of an
// epoch, the built-in task, and tiny runs of `classify train` (it learns a separable task, writes
// its run directory, refuses bad flags and data, and resumes after Ctrl-C exactly).
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "ag/core/error.h"
#include "ag/core/factory.h"
#include "ag/core/parallel.h"
#include "ag/train/interrupt.h"
#include "dataset.h"
#include "tests/data/temp_dir.h"
#include "tiny_run.h"
#include "train.h"

using namespace classify;
using ag::data::testing::TempDir;

TEST_CASE("classify: the loss is cross-entropy, weighted per class as PyTorch's weight=") {
  // Two texts, two classes: logits (0, ln 3) and (0, 0); targets 0 and 1.
  const ag::Tensor logits = ag::from_vector(std::vector<float>{0.f, std::log(3.f), 0.f, 0.f}, {2, 2});
  const double l0 = std::log(4.0), l1 = std::log(2.0);  // -log(1/4), -log(1/2)
  CHECK(classification_loss(logits, {0, 1}, {}, 0.0).item() == Approx((l0 + l1) / 2));
  CHECK(classification_loss(logits, {0, 1}, {3.0, 1.0}, 0.0).item() == Approx((3 * l0 + l1) / 4));
  // Label smoothing 0.5 over 2 classes: target distribution (0.75, 0.25) for the first text.
  const double s0 = 0.75 * l0 + 0.25 * -std::log(0.75), s1 = l1;
  CHECK(classification_loss(logits, {0, 1}, {}, 0.5).item() == Approx((s0 + s1) / 2));
  CHECK(balanced_class_weights({0, 0, 0, 1}, 3) == std::vector<double>{4.0 / 9, 4.0 / 3, 0.0});
}

TEST_CASE("classify: an epoch's batches hold every text once, alike in length, the same for the same seed") {
  std::vector<size_t> lengths;
  for (size_t i = 0; i < 103; ++i) lengths.push_back((i * 37) % 50 + 1);
  const auto batches = epoch_batches(lengths, 10, 7, 0);
  CHECK(batches.size() == 11);
  std::multiset<size_t> seen;
  for (const auto& batch : batches) seen.insert(batch.begin(), batch.end());
  CHECK(seen.size() == 103);
  CHECK(std::set<size_t>(seen.begin(), seen.end()).size() == 103);
  CHECK(epoch_batches(lengths, 10, 7, 0) == batches);
  CHECK(epoch_batches(lengths, 10, 7, 1) != batches);
  // All 103 texts fall in one chunk of 50 batches, sorted by length: a batch spans a tenth of the lengths.
  for (const auto& batch : batches) {
    size_t low = 1000, high = 0;
    for (const size_t i : batch) low = std::min(low, lengths[i]), high = std::max(high, lengths[i]);
    CHECK(high - low <= 6);
  }
}

TEST_CASE("classify: the built-in task is reproducible, unbalanced and uses every class") {
  const LabelledTexts a = generated_task(400, 5), b = generated_task(400, 5);
  CHECK(a.texts == b.texts);
  CHECK(a.classes == std::vector<std::string>{"food", "sport", "weather"});
  std::vector<int64_t> counts(3, 0);
  for (const int64_t t : a.targets) ++counts[static_cast<size_t>(t)];
  CHECK(counts[2] > counts[0]);
  CHECK(counts[0] > counts[1]);
  CHECK(counts[1] > 20);
}

using classify::testing::tiny_run;

TEST_CASE("classify train: a tiny model learns the built-in task and writes its run directory") {
  TempDir dir;
  std::ostringstream log;
  TrainOptions o = tiny_run(dir, "run");
  const TrainResult result = train(o, log);
  CHECK_FALSE(result.interrupted);
  CHECK(result.steps == 3 * 38);  // 1200 texts in batches of 32
  CHECK(result.best.accuracy > 0.95);
  CHECK(result.best.report.macro.f1 > 0.9);
  CHECK_THAT(result.report, Catch::Contains("macro avg") && Catch::Contains("weather"));
  for (const char* file : {"checkpoint.safetensors", "model.safetensors", "tokenizer.model", "metrics.jsonl",
                           "loss.svg", "scores.svg", "report.txt", "confusion.svg"})
    CHECK(std::filesystem::exists(dir.path(std::string("run/") + file)));
  std::ifstream metrics(dir.path("run/metrics.jsonl"));
  std::vector<int64_t> steps;
  for (std::string line; std::getline(metrics, line);) steps.push_back(nlohmann::json::parse(line).at("step"));
  CHECK(steps == std::vector<int64_t>{20, 40, 60, 80, 100, 114});

  CHECK_THROWS_WITH(train(o, log), Catch::Contains("--force"));
  o.force = true, o.train = dir.path("missing");
  CHECK_THROWS_WITH(train(o, log), Catch::Contains("missing does not exist"));
  CHECK(std::filesystem::exists(dir.path("run/model.safetensors")));  // bad data deletes nothing
  o.train = dir.write("one.tsv", "a\tonly one class\na\tstill\n");
  o.val = dir.write("val.tsv", "a\tx\n");
  CHECK_THROWS_WITH(train(o, log), Catch::Contains("at least two"));
  o.train = dir.write("two.tsv", "a\tx\nb\ty\n");
  o.val = dir.write("other.tsv", "c\tz\n");
  CHECK_THROWS_WITH(train(o, log), Catch::Contains("the class 'c', which the model does not know"));
}

TEST_CASE("classify train: flags out of range are refused, naming the flag") {
  TempDir dir;
  std::ostringstream log;
  const auto refused = [&](auto change, const std::string& message) {
    TrainOptions o = tiny_run(dir, "run");
    change(o);
    CHECK_THROWS_WITH(train(o, log), Catch::Contains(message));
  };
  refused([](TrainOptions& o) { o.model.heads = 3; }, "--heads (3) must divide --width (32)");
  refused([](TrainOptions& o) { o.model.dropout = 1; }, "--dropout");
  refused([](TrainOptions& o) { o.model.max_tokens = 0; }, "--max-tokens");
  refused([](TrainOptions& o) { o.epochs = 0; }, "--epochs");
  refused([](TrainOptions& o) { o.vocab_size = 4; }, "--vocab-size");
  refused([](TrainOptions& o) { o.class_weights = "inverse"; }, "--class-weights must be none or balanced, got \"inverse\"");
  refused([](TrainOptions& o) { o.label_smoothing = 1; }, "--label-smoothing");
  refused([](TrainOptions& o) { o.ema = 1; }, "--ema must be a number in [0, 1), got 1");
  refused([](TrainOptions& o) { o.holdout = 0; }, "--holdout");
  refused([](TrainOptions& o) { o.min_lr = 1; }, "--min-lr");
  refused([](TrainOptions& o) { o.mail = true; }, "--mail needs --train");
  CHECK_FALSE(std::filesystem::exists(dir.path("run")));
}

TEST_CASE("classify train: a run stopped by Ctrl-C and resumed takes the same steps as one never stopped") {
  TempDir dir;
  std::ostringstream log;
  TrainOptions short_run = tiny_run(dir, "whole");
  short_run.epochs = 1, short_run.ema = 0.9;  // the moving average must be restored too
  const TrainResult whole = train(short_run, log);

  ag::train::InterruptGuard::request();  // stops after the first step
  short_run.out = dir.path("stopped");
  const TrainResult first = train(short_run, log);
  CHECK(first.interrupted);
  CHECK(first.steps == 1);
  TrainOptions o;
  o.resume = dir.path("stopped"), o.threads = 1;
  const TrainResult resumed = train(o, log);
  CHECK_FALSE(resumed.interrupted);
  CHECK(resumed.steps == whole.steps);
  CHECK(resumed.train_losses == whole.train_losses);  // bit for bit
  CHECK(resumed.best.loss == whole.best.loss);
  CHECK(resumed.best_step == whole.best_step);
}
