// The training step and the plain training loop (see train.h).
#include "train.h"

#include <chrono>
#include <filesystem>

#include "ag/core/error.h"
#include "ag/core/generator.h"
#include "ag/core/parallel.h"
#include "ag/optim/adam.h"
#include "ag/optim/clip_grad.h"
#include "ag/optim/lr_scheduler.h"
#include "corpus.h"
#include "evaluate.h"
#include "weights.h"

#ifndef GPT_SOURCE_DIR
#error "GPT_SOURCE_DIR must name examples/gpt (set by its CMakeLists.txt)"
#endif

namespace gpt {

namespace optim = ag::optim;

void TrainOptions::validate() const {
  model.validate();
  AG_CHECK(batch_size > 0, "--batch-size ({}) must be positive", batch_size);
  AG_CHECK(lr > 0 && min_lr >= 0 && min_lr <= lr, "--lr ({}) must be positive and --min-lr ({}) in [0, lr]", lr,
           min_lr);
  AG_CHECK(weight_decay >= 0, "--weight-decay ({}) must not be negative", weight_decay);
  AG_CHECK(clip >= 0, "--clip ({}) must not be negative (0: no clipping)", clip);
  AG_CHECK(warmup >= 0 && max_steps > warmup, "--max-steps ({}) must exceed --warmup ({}), which must not be negative",
           max_steps, warmup);
  AG_CHECK(max_time >= 0, "--max-time ({}) must not be negative (0: no limit)", max_time);
  AG_CHECK(eval_interval > 0 && eval_batches > 0 && log_interval > 0,
           "--eval-interval, --eval-batches and --log-interval must be positive");
  AG_CHECK(threads >= 0, "--threads ({}) must not be negative (0: every core)", threads);
}

std::string default_corpus() { return std::string(GPT_SOURCE_DIR) + "/tinyshakespeare.txt.gz"; }

std::unique_ptr<optim::Optimizer> make_optimizer(GPTImpl& model, const TrainOptions& options) {
  std::vector<ag::Tensor> decay, no_decay;
  for (const ag::Tensor& p : model.parameters()) (p.dim() >= 2 ? decay : no_decay).push_back(p);
  optim::AdamWOptions adamw(options.lr);
  adamw.betas({options.beta1, options.beta2}).weight_decay(options.weight_decay);
  optim::AdamWOptions no_decay_options = adamw;
  no_decay_options.weight_decay(0.0);
  std::vector<optim::ParamGroup> groups;
  groups.emplace_back(decay, adamw);
  groups.emplace_back(no_decay, no_decay_options);
  return std::make_unique<optim::AdamW>(std::move(groups), adamw);
}

double train_step(GPTImpl& model, optim::Optimizer& optimizer, const ag::Tensor& x, const ag::Tensor& y, double clip) {
  optimizer.zero_grad();
  const ag::Tensor loss = lm_loss(model, x, y);
  loss.backward();
  if (clip > 0) optim::clip_grad_norm_(model.parameters(), clip);
  optimizer.step();
  return loss.item();
}

TrainResult train(const TrainOptions& options, std::ostream& log) {
  options.validate();
  const std::string model_path = options.out + "/model.safetensors";
  AG_CHECK(options.force || !std::filesystem::exists(model_path),
           "{} already exists; choose another --out, or pass --force to replace it", model_path);
  if (options.threads > 0) ag::set_num_threads(options.threads);
  ag::manual_seed(options.seed);

  const std::string path = options.data.empty() ? default_corpus() : options.data;
  const std::string text = read_text(path);
  const CharCodec codec = CharCodec::build(text);
  const Split split = split_tokens(codec.encode(text));
  ModelConfig config = options.model;
  config.vocab_size = codec.size();
  AG_CHECK(static_cast<int64_t>(split.valid.size()) > config.block_size,
           "{} is too short: its last 10% ({} characters) must exceed the context of {}", path, split.valid.size(),
           config.block_size);
  GPT model(config);
  log << "gpt: " << path << ": " << split.train.size() << " training and " << split.valid.size()
      << " validation characters, vocabulary " << codec.size() << "; model " << model->num_parameters()
      << " parameters\n";

  auto optimizer = make_optimizer(*model, options);
  optim::WarmupCosineLR schedule(*optimizer, options.warmup, options.max_steps, options.min_lr);
  Batcher batcher(split.train, options.batch_size, config.block_size, options.seed);
  const auto valid_loss = [&] {
    return estimate_loss(*model, split.valid, options.eval_batches, options.batch_size, options.seed + 1);
  };

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  TrainResult result;
  while (result.steps < options.max_steps && (options.max_time == 0 || elapsed() < options.max_time)) {
    auto [x, y] = batcher.next();
    result.train_loss = train_step(*model, *optimizer, x, y, options.clip);
    schedule.step();
    ++result.steps;
    if (result.steps % options.log_interval == 0)
      log << fmt::format("step {:5d}  loss {:.4f}  lr {:.2e}  {:.1f}s\n", result.steps, result.train_loss,
                         schedule.get_last_lr()[0], elapsed());
    if (result.steps % options.eval_interval == 0 && result.steps < options.max_steps)
      log << fmt::format("step {:5d}  validation loss {:.4f}\n", result.steps, valid_loss());
  }
  result.valid_loss = valid_loss();
  result.seconds = elapsed();
  log << fmt::format("done: {} steps in {:.1f}s, train loss {:.4f}, validation loss {:.4f}\n", result.steps,
                     result.seconds, result.train_loss, result.valid_loss);
  std::filesystem::create_directories(options.out);
  save_model(model_path, *model, codec, {{"steps", result.steps}, {"valid_loss", result.valid_loss}});
  log << "gpt: wrote " << model_path << "\n";
  return result;
}

}  // namespace gpt
