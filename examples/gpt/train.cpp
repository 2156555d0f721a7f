// The training step and the loop around it (see train.h). The run directory, the checkpoint's
// layout, the progress line, the metrics log, Ctrl-C and the loss curve are the training kit's.
#include "train.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>

#include "ag/core/error.h"
#include "ag/core/generator.h"
#include "ag/core/json_number.h"
#include "ag/core/parallel.h"
#include "ag/optim/adam.h"
#include "ag/optim/clip_grad.h"
#include "ag/optim/lr_scheduler.h"
#include "ag/train/train.h"
#include "corpus.h"
#include "evaluate.h"
#include "session.h"
#include "weights.h"

#ifndef GPT_SOURCE_DIR
#error "GPT_SOURCE_DIR must name examples/gpt (set by its CMakeLists.txt)"
#endif

namespace gpt {

namespace optim = ag::optim;

std::string default_corpus() { return std::string(GPT_SOURCE_DIR) + "/tinyshakespeare.txt.gz"; }

std::vector<std::string> data_files(const TrainOptions& options) {
  return options.data.empty() ? std::vector{default_corpus()} : options.data;
}

std::unique_ptr<optim::Optimizer> make_optimizer(GPTImpl& model, const TrainOptions& options) {
  optim::AdamWOptions adamw(options.lr);
  adamw.betas({options.beta1, options.beta2}).weight_decay(options.weight_decay);
  return optim::adamw_decaying_matrices(model.parameters(), adamw);
}

double train_step(GPTImpl& model, optim::Optimizer& optimizer, const ag::Tensor& x, const ag::Tensor& y, double clip) {
  optimizer.zero_grad();
  const ag::Tensor loss = lm_loss(model, x, y);
  loss.backward();
  if (clip > 0) optim::clip_grad_norm_(model.parameters(), clip);
  optimizer.step();
  return loss.item();
}

namespace {

namespace train_kit = ag::train;
using nlohmann::json;

const train_kit::FileFormat kFormat{"ag-gpt-checkpoint-1", "gpt"};
const train_kit::RunFiles kFiles{.program = "gpt train",
                                 .checkpoint = "checkpoint.safetensors",
                                 .outputs = {"model.safetensors", "metrics.jsonl", "loss.svg", "tokenizer.model",
                                             "tokenizer.vocab"}};

// One run, fresh or resumed: the model, its optimizer and schedule, the batcher, and the kit's
// pieces that report and save it.
class Run {
 public:
  Run(TrainOptions options, train_kit::RunDir dir, Corpus corpus, const std::optional<train_kit::Checkpoint>& saved,
      std::ostream& log, bool terminal)
      : o_(std::move(options)),
        dir_(std::move(dir)),
        corpus_(std::move(corpus)),
        log_(log),
        model_(model_config()),
        optimizer_(make_optimizer(*model_, o_)),
        schedule_(*optimizer_, o_.warmup, o_.decay_steps, o_.min_lr),
        batcher_(corpus_.split.train, o_.batch_size, o_.model.block_size, o_.seed),
        metrics_(dir_.file("metrics.jsonl"), saved ? std::optional(saved->state().step) : std::nullopt),
        loop_({.max_steps = o_.max_steps, .max_time = o_.max_time, .validate_every = o_.eval_every,
               .save_every = o_.save_every, .program = kFiles.program, .run_dir = dir_.path()},
              state_, log, terminal, "tok/s") {
    log_ << "gpt: " << corpus_.name << ": " << corpus_.split.train.size() << " training and "
         << corpus_.split.valid.size() << " validation tokens (" << corpus_.codec.kind() << "), vocabulary "
         << corpus_.codec.size() << "; model "
         << model_->num_parameters() << " parameters\n";
    if (!saved) return;
    AG_CHECK(json(corpus_.codec.pieces()) == saved->file().json_field("vocab"),
             "the characters of {} are not those the run in {} started with; restore the text, or start a new run",
             corpus_.name, dir_.path());
    saved->restore({*model_, *optimizer_, &schedule_});
    state_ = saved->state();
    const json& batcher = state_.extra.contains("batcher") ? state_.extra["batcher"] : json();
    AG_CHECK(batcher.is_string(), "{}: the saved state has no batcher position", saved->file().path());
    batcher_.set_state(batcher.get<std::string>());
    // The last validation's loss, which a run that has ended reports without validating again.
    if (!metrics_.entries().empty())
      valid_loss_ = ag::json_number(metrics_.entries().back().value("val_loss", json()),
                                    dir_.file("metrics.jsonl") + ": the last val_loss", 0, HUGE_VAL);
  }

  TrainResult run() {
    TrainResult result;
    result.interrupted = loop_.run({[this] { return step(); }, [this] { validate(); }, [this] { save(); }});
    if (!result.interrupted) {
      result.valid_loss = valid_loss_;
      result.sample = sample();
    }
    result.steps = state_.step;
    result.train_losses = state_.train_losses;
    result.seconds = loop_.elapsed_s();
    if (!result.interrupted)
      log_ << fmt::format("gpt: {} steps in {}, validation loss {:.4f}; wrote {}/{{{}, model.safetensors, "
                          "metrics.jsonl, loss.svg}}\n",
                          result.steps, train_kit::format_duration(result.seconds), result.valid_loss, dir_.path(),
                          kFiles.checkpoint);
    return result;
  }

 private:
  ModelConfig model_config() {
    o_.model.vocab_size = corpus_.codec.size();
    return o_.model;
  }

  train_kit::StepReport step() {
    auto [x, y] = batcher_.next();
    const double lr = schedule_.get_last_lr()[0];
    const double loss = train_step(*model_, *optimizer_, x, y, o_.clip);
    schedule_.step();
    return {.loss = loss, .lr = lr, .items = static_cast<double>(x.numel())};
  }

  // The validation loss on random windows (its own generator: training draws the same either way).
  void validate() {
    valid_loss_ = estimate_loss(*model_, corpus_.split.valid, o_.eval_batches, o_.batch_size, o_.seed + 1);
    metrics_.append({{"step", state_.step}, {"elapsed_s", loop_.elapsed_s()},
                     {"train_loss", train_kit::mean_of_last(state_.train_losses, o_.eval_every)},
                     {"val_loss", valid_loss_}});
    log_ << fmt::format("gpt: step {}: validation loss {:.4f}\n", state_.step, valid_loss_) << std::flush;
  }

  // The checkpoint, the weights for sample/chat/eval, and the loss curve, each replaced atomically.
  void save() {
    state_.extra["batcher"] = batcher_.state();
    train_kit::save_checkpoint(dir_.file(kFiles.checkpoint), kFormat, {*model_, *optimizer_, &schedule_}, state_,
                               train_kit::settings_to_json(o_), codec_metadata(corpus_.codec));
    save_model(dir_.file("model.safetensors"), *model_, corpus_.codec, {{"steps", state_.step}});
    std::vector<train_kit::CurvePoint> validation;
    for (const json& entry : metrics_.entries())
      validation.push_back({entry["step"].get<double>(), entry["val_loss"].get<double>()});
    ag::write_file_atomically(dir_.file("loss.svg"), train_kit::loss_curve_svg(state_.train_losses, validation));
  }

  // What the trained model writes after a newline, at chat's temperature (its own generator).
  std::string sample() {
    if (o_.sample_tokens == 0) return "";
    model_->eval();
    Session session(model_, 1);
    session.append(corpus_.codec.encode("\n"));
    ag::data::Rng rng(o_.seed);
    for (int64_t i = 0; i < o_.sample_tokens; ++i) session.step({.temperature = 0.8, .top_p = 0.95}, rng);
    model_->train();
    return corpus_.codec.decode(session.row(0));
  }

  TrainOptions o_;
  train_kit::RunDir dir_;
  Corpus corpus_;
  std::ostream& log_;
  GPT model_;
  std::unique_ptr<optim::Optimizer> optimizer_;
  optim::WarmupCosineLR schedule_;
  Batcher batcher_;
  train_kit::MetricsLog metrics_;
  train_kit::TrainState state_;
  train_kit::Loop loop_;
  double valid_loss_ = 0;  // the last validation's
};

}  // namespace

TrainResult train(const TrainOptions& given, std::ostream& log, bool log_is_terminal,
                  const train_kit::FlagGiven& was_given) {
  TrainOptions options = given;
  std::optional<train_kit::Checkpoint> saved;
  std::optional<train_kit::RunDir> dir;
  if (given.resume.empty()) {
    if (options.decay_steps == 0) options.decay_steps = options.max_steps;
    options.validate();
  } else {
    dir = train_kit::RunDir::resume(given.resume, kFiles, log);
    saved = train_kit::Checkpoint::load(dir->file(kFiles.checkpoint), kFormat);
    options = resumed_train_options(given, was_given ? was_given : train_kit::given_unless_default(given),
                                    saved_train_options(saved->options(), saved->file().path() + ": options"));
    // The checkpoint names the texts to read again. A checkpoint may come from anyone: each must at
    // least be a regular file (not /dev/zero, which never ends, nor a pipe that waits forever).
    for (const std::string& file : options.data)
      AG_CHECK(std::filesystem::is_regular_file(file),
               "{}: the run's training text {} is not a regular file; was the checkpoint made elsewhere?",
               saved->file().path(), file);
  }
  // The thread count and the text are checked before RunDir::fresh, so that --force deletes nothing
  // when either is refused. The count is held to this machine's cores here, not with the other
  // settings: a checkpoint may come from a machine with more.
  ag::use_threads_flag(options.threads);
  const Text text = read_split_text(data_files(options), options.model.block_size);
  if (!dir) dir = train_kit::RunDir::fresh(options.out, kFiles, options.force, log);
  // A resumed SentencePiece run reads the model it trained, which must be of the kind its settings
  // name (or one of the two was damaged); characters are counted again (and the run checks that
  // they are the ones it started with).
  std::optional<Codec> codec;
  if (saved && options.tokenizer != "char") {
    codec = load_codec(saved->file(), dir->path());
    AG_CHECK(codec->kind() == options.tokenizer, "{}: the saved settings say --tokenizer {}, but the saved tokenizer "
             "is {}; the checkpoint is damaged", saved->file().path(), options.tokenizer, codec->kind());
  } else {
    codec = make_codec(options.tokenizer, options.vocab_size, text, dir->path(), options.threads, log);
  }
  Corpus corpus = tokenize(text, std::move(*codec), options.model.block_size);
  ag::manual_seed(options.seed);
  Run run(std::move(options), std::move(*dir), std::move(corpus), saved, log, log_is_terminal);
  return run.run();
}

}  // namespace gpt
