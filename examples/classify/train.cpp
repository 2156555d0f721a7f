// The training loop of `classify train` (see train.h). The run directory, the checkpoint's layout,
// the progress line, the metrics log, Ctrl-C and the plots are the training kit's.
#include "train.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "ag/core/checked.h"
#include "ag/core/error.h"
#include "ag/core/factory.h"
#include "ag/core/generator.h"
#include "ag/core/json_number.h"
#include "ag/core/ops.h"
#include "ag/core/parallel.h"
#include "ag/core/serialize.h"
#include "ag/data/random.h"
#include "ag/nn/functional/loss.h"
#include "ag/optim/adam.h"
#include "ag/optim/clip_grad.h"
#include "ag/optim/ema.h"
#include "ag/optim/lr_scheduler.h"
#include "ag/train/train.h"
#include "dataset.h"

namespace classify {

namespace optim = ag::optim;
namespace train_kit = ag::train;
using ag::Tensor;
using nlohmann::json;

std::vector<std::vector<size_t>> epoch_batches(const std::vector<size_t>& lengths, int64_t batch_size, uint64_t seed,
                                               int64_t epoch) {
  ag::data::Rng rng(seed * 1000003 + static_cast<uint64_t>(epoch));
  std::vector<size_t> order(lengths.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  ag::data::shuffle(order, rng);
  const auto B = static_cast<size_t>(batch_size), chunk = 50 * B;
  for (size_t first = 0; first < order.size(); first += chunk) {
    const auto begin = order.begin() + static_cast<std::ptrdiff_t>(first);
    const auto end = order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), first + chunk));
    std::stable_sort(begin, end, [&](size_t a, size_t b) { return lengths[a] < lengths[b]; });
  }
  std::vector<std::vector<size_t>> batches;
  for (size_t first = 0; first < order.size(); first += B)
    batches.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(first),
                         order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), first + B)));
  ag::data::shuffle(batches, rng);
  return batches;
}

Tensor classification_loss(const Tensor& logits, const std::vector<int64_t>& targets,
                           const std::vector<double>& class_weights, double label_smoothing) {
  const auto B = static_cast<int64_t>(targets.size());
  const Tensor per_text = ag::nn::functional::cross_entropy(logits, ag::from_vector(targets, {B}), -100,
                                                            label_smoothing, "none");  // (B)
  if (class_weights.empty()) return per_text.mean();
  std::vector<float> w;
  double total = 0;
  for (const int64_t t : targets) {
    w.push_back(static_cast<float>(class_weights[static_cast<size_t>(t)]));
    total += w.back();
  }
  return (per_text * ag::from_vector(w, {B})).sum() / std::max(total, 1e-12);
}

std::vector<double> balanced_class_weights(const std::vector<int64_t>& targets, int64_t num_classes) {
  std::vector<int64_t> counts(static_cast<size_t>(num_classes), 0);
  for (const int64_t t : targets) ++counts[static_cast<size_t>(t)];
  std::vector<double> weights;
  for (const int64_t n : counts)
    weights.push_back(n > 0 ? static_cast<double>(targets.size()) / static_cast<double>(num_classes * n) : 0.0);
  return weights;
}

namespace {

const train_kit::FileFormat kFormat{"ag-classify-checkpoint-1", "classify"};
const train_kit::RunFiles kFiles{.program = "classify train",
                                 .checkpoint = "checkpoint.safetensors",
                                 .outputs = {"model.safetensors", "ema.safetensors", "tokenizer.model", "tokenizer.vocab", "metrics.jsonl",
                                             "loss.svg", "scores.svg", "report.txt", "confusion.svg"}};

// Texts as token ids, with their classes.
struct Encoded {
  std::vector<std::vector<int64_t>> ids;
  std::vector<size_t> lengths;
  std::vector<int64_t> targets;
  int64_t cut = 0;  // texts longer than max_tokens, cut to their first max_tokens
};

Encoded encode_all(const TextEncoder& encoder, const LabelledTexts& data, int64_t max_tokens) {
  Encoded e;
  for (const std::string& text : data.texts) {
    std::vector<int64_t> ids = encoder.encode(text, max_tokens + 1);
    if (static_cast<int64_t>(ids.size()) > max_tokens) ids.pop_back(), ++e.cut;
    e.lengths.push_back(ids.size());
    e.ids.push_back(std::move(ids));
  }
  e.targets = data.targets;
  return e;
}

// AdamW over two groups: matrices (and embeddings) decay, biases and LayerNorm weights do not.
std::unique_ptr<optim::Optimizer> make_optimizer(ClassifierImpl& model, const TrainOptions& o) {
  optim::AdamWOptions adamw(o.lr);
  adamw.weight_decay(o.weight_decay);
  return optim::adamw_decaying_matrices(model.parameters(), adamw);
}

class Run {
 public:
  Run(TrainOptions options, train_kit::RunDir dir, Splits splits, TextEncoder encoder,
      const std::optional<train_kit::Checkpoint>& saved, std::ostream& log, bool terminal)
      : o_(std::move(options)),
        dir_(std::move(dir)),
        splits_(std::move(splits)),
        train_(encode_all(encoder, splits_.train, o_.model.max_tokens)),
        val_(encode_all(encoder, splits_.val, o_.model.max_tokens)),
        log_(log),
        model_(model_config(encoder)),
        optimizer_(make_optimizer(*model_, o_)),
        steps_per_epoch_((static_cast<int64_t>(train_.ids.size()) + o_.batch_size - 1) / o_.batch_size),
        max_steps_(ag::checked_mul(o_.epochs, steps_per_epoch_, "--epochs x steps per epoch")),
        cosine_steps_(ag::checked_mul(o_.decay_epochs, steps_per_epoch_, "the cosine's epochs x steps per epoch")),
        schedule_(*optimizer_, std::min(o_.warmup, cosine_steps_ - 1), cosine_steps_, o_.min_lr),
        metrics_(dir_.file("metrics.jsonl"), saved ? std::optional(saved->state().step) : std::nullopt),
        loop_({.max_steps = max_steps_, .max_time = o_.max_time, .validate_every = eval_every(),
               .save_every = eval_every(), .program = kFiles.program, .run_dir = dir_.path(), .length_flag = "--epochs"},
              state_, log, terminal, "texts/s") {
    if (o_.ema > 0) ema_.emplace(model_->parameters(), o_.ema);
    if (o_.class_weights == "balanced")
      class_weights_ = balanced_class_weights(train_.targets, static_cast<int64_t>(splits_.train.classes.size()));
    log_ << fmt::format("classify: {} SentencePiece pieces, texts cut to {} tokens ({} of {} training texts were "
                        "longer); model {} parameters; {} steps per epoch\n",
                        encoder.vocab_size(), o_.model.max_tokens, train_.cut,
                        train_.ids.size(), model_->num_parameters(), steps_per_epoch_);
    if (!saved) return;
    AG_CHECK(json(splits_.train.classes) == saved->file().json_field("classes"),
             "the training data now has other classes than when the run in {} started; restore it, or start anew",
             dir_.path());
    saved->restore({*model_, *optimizer_, &schedule_});
    if (ema_) ema_->load_state_dict(ag::load_safetensors(dir_.file("ema.safetensors")).tensors);
    state_ = saved->state();
    best_f1_ = state_.extra.value("best_macro_f1", -1.0);
    if (state_.extra.contains("best_step"))
      best_step_ = ag::json_integer(state_.extra["best_step"], saved->file().path() + ": the state's best_step", 0,
                                    state_.step);
  }

  TrainResult run() {
    TrainResult result;
    result.interrupted = loop_.run({[this] { return step(); }, [this] { validate(); }, [this] { save(); }});
    if (!result.interrupted) {
      const LoadedModel best = load_model(dir_.path());
      result.best = evaluate(predict_probabilities(*best.model, val_.ids), val_.targets);
      result.report = format_report(result.best, best.classes);
      ag::write_file_atomically(dir_.file("report.txt"), result.report);
      ag::write_file_atomically(dir_.file("confusion.svg"),
                                train_kit::confusion_matrix_svg(result.best.confusion, best.classes,
                                                                "Confusion matrix on " + splits_.val_name));
      log_ << fmt::format("classify: {} steps in {}; the best validation macro F1, {:.4f}, was at step {}; wrote "
                          "{}/{{model.safetensors, report.txt, confusion.svg, metrics.jsonl, loss.svg, scores.svg}}\n",
                          state_.step, train_kit::format_duration(loop_.elapsed_s()), best_f1_, best_step_,
                          dir_.path());
    }
    result.steps = state_.step;
    result.train_losses = state_.train_losses;
    result.best_step = best_step_;
    result.seconds = loop_.elapsed_s();
    return result;
  }

 private:
  // Steps between validations (and checkpoints): --eval-every, or one epoch.
  int64_t eval_every() const { return o_.eval_every > 0 ? o_.eval_every : steps_per_epoch_; }

  ModelConfig model_config(const TextEncoder& encoder) {
    o_.model.vocab_size = encoder.vocab_size();
    o_.model.num_classes = static_cast<int64_t>(splits_.train.classes.size());
    return o_.model;
  }

  train_kit::StepReport step() {
    const int64_t epoch = state_.step / steps_per_epoch_;
    if (epoch != plan_epoch_) plan_ = epoch_batches(train_.lengths, o_.batch_size, o_.seed, epoch), plan_epoch_ = epoch;
    std::vector<std::vector<int64_t>> ids;
    std::vector<int64_t> targets;
    for (const size_t i : plan_[static_cast<size_t>(state_.step % steps_per_epoch_)]) {
      ids.push_back(train_.ids[i]);
      targets.push_back(train_.targets[i]);
    }
    const double lr = schedule_.get_last_lr()[0];
    optimizer_->zero_grad();
    const Tensor loss = classification_loss(model_->forward(pad_batch(ids)), targets, class_weights_,
                                            o_.label_smoothing);
    loss.backward();
    if (o_.clip > 0) optim::clip_grad_norm_(model_->parameters(), o_.clip);
    optimizer_->step();
    if (ema_) ema_->update();
    schedule_.step();
    return {.loss = loss.item(), .lr = lr, .items = static_cast<double>(ids.size()), .epoch = epoch + 1};
  }

  // Scores the model on the validation set, logs it, and keeps the weights if they are the best.
  void validate() {
    if (ema_) ema_->apply_to();
    const Evaluation e = evaluate(predict_probabilities(*model_, val_.ids), val_.targets);
    const int64_t since = state_.step - (metrics_.entries().empty() ? 0 : metrics_.entries().back()["step"].get<int64_t>());
    metrics_.append({{"step", state_.step},
                     {"epoch", static_cast<double>(state_.step) / static_cast<double>(steps_per_epoch_)},
                     {"elapsed_s", loop_.elapsed_s()},
                     {"train_loss", train_kit::mean_of_last(state_.train_losses, static_cast<size_t>(std::max<int64_t>(since, 1)))},
                     {"val_loss", e.loss},
                     {"val_accuracy", e.accuracy},
                     {"val_macro_f1", e.report.macro.f1},
                     {"val_macro_precision", e.report.macro.precision},
                     {"val_macro_recall", e.report.macro.recall}});
    const bool best = e.report.macro.f1 > best_f1_;
    if (best) {
      best_f1_ = e.report.macro.f1, best_step_ = state_.step;
      save_model(dir_.file("model.safetensors"), *model_, splits_.train.classes, {o_.mail, o_.mail_headers});
    }
    if (ema_) ema_->restore();
    log_ << fmt::format("classify: step {}: validation loss {:.4f}, accuracy {:.4f}, macro F1 {:.4f}{}\n", state_.step,
                        e.loss, e.accuracy, e.report.macro.f1, best ? " (best so far, kept)" : "")
         << std::flush;
  }

  // The checkpoint and the plots, each replaced atomically.
  void save() {
    state_.extra["best_macro_f1"] = best_f1_;
    state_.extra["best_step"] = best_step_;
    train_kit::save_checkpoint(dir_.file(kFiles.checkpoint), kFormat, {*model_, *optimizer_, &schedule_}, state_,
                               train_kit::settings_to_json(o_), {{"classes", json(splits_.train.classes).dump()}});
    if (ema_) ag::save_safetensors(dir_.file("ema.safetensors"), ema_->state_dict());
    std::vector<train_kit::CurvePoint> val_loss;
    train_kit::Curve accuracy{.label = "validation accuracy", .points = {}, .markers = true};
    train_kit::Curve macro_f1{.label = "validation macro F1", .points = {}, .markers = true};
    for (const json& entry : metrics_.entries()) {
      const double x = entry["step"].get<double>();
      val_loss.push_back({x, entry["val_loss"].get<double>()});
      accuracy.points.push_back({x, entry["val_accuracy"].get<double>()});
      macro_f1.points.push_back({x, entry["val_macro_f1"].get<double>()});
    }
    ag::write_file_atomically(dir_.file("loss.svg"),
                              train_kit::loss_curve_svg(state_.train_losses, val_loss, "Loss per text"));
    ag::write_file_atomically(dir_.file("scores.svg"), train_kit::plot_curves({accuracy, macro_f1}, "Validation"));
  }

  TrainOptions o_;
  train_kit::RunDir dir_;
  Splits splits_;
  Encoded train_, val_;
  std::ostream& log_;
  Classifier model_;
  std::unique_ptr<optim::Optimizer> optimizer_;
  int64_t steps_per_epoch_, max_steps_;
  int64_t cosine_steps_;  // the first session's max_steps_ (TrainOptions::decay_epochs)
  optim::WarmupCosineLR schedule_;
  train_kit::MetricsLog metrics_;
  train_kit::TrainState state_;
  train_kit::Loop loop_;
  std::vector<double> class_weights_;
  std::optional<optim::ExponentialMovingAverage> ema_;
  std::vector<std::vector<size_t>> plan_;
  int64_t plan_epoch_ = -1;
  double best_f1_ = -1;
  int64_t best_step_ = 0;
};

}  // namespace

TrainResult train(const TrainOptions& given, std::ostream& log, bool log_is_terminal,
                  const train_kit::FlagGiven& was_given) {
  TrainOptions options = given;
  std::optional<train_kit::Checkpoint> saved;
  std::optional<train_kit::RunDir> dir;
  if (given.resume.empty()) {
    if (options.decay_epochs == 0) options.decay_epochs = options.epochs;
    options.validate();
  } else {
    dir = train_kit::RunDir::resume(given.resume, kFiles, log);
    saved = train_kit::Checkpoint::load(dir->file(kFiles.checkpoint), kFormat);
    options = train_kit::resume_settings(given, was_given ? was_given : train_kit::given_unless_default(given),
                                         saved_train_options(saved->options(), saved->file().path() + ": options"),
                                         kFiles.program, "only run length, reporting and --threads may change");
    options.out = given.resume;
    options.validate();
  }
  // The thread count and the data are checked before the run directory is opened, so that --force
  // deletes nothing when either is refused. The count is held to this machine's cores here, not with
  // the other settings: a checkpoint may come from a machine with more.
  ag::use_threads_flag(options.threads);
  Splits splits = read_splits(options.train, options.val, {options.mail, options.mail_headers}, options.holdout,
                              options.seed, log);
  if (!dir) dir = train_kit::RunDir::fresh(options.out, kFiles, options.force, log);
  const std::string tokenizer = dir->file("tokenizer");
  if (!saved) {
    log << "classify: training a SentencePiece model of up to " << options.vocab_size << " pieces on the training texts\n";
    TextEncoder::train(splits.train.texts, tokenizer, options.vocab_size);
  }
  ag::manual_seed(options.seed);
  Run run(std::move(options), std::move(*dir), std::move(splits), TextEncoder(tokenizer + ".model"), saved, log,
          log_is_terminal);
  return run.run();
}

}  // namespace classify
