// The training loop, its validations and checkpoints, and the end-of-run report. The run directory,
// the checkpoint's layout, the progress line, the metrics log, Ctrl-C and the loss curve are the
// training kit's (ag/train/); what is here is seq2seq's own.
//
// Data parallel (mpirun -np N): every rank runs this loop on its own shard of each epoch's batches
// (the same number of batches on every rank), DistributedDataParallel averages the gradients, and
// after each step one small all-reduce (agree_after_step) gives every rank the same loss, token
// count and decision to stop. Rank 0 alone validates, prints and writes files.
#include "trainer.h"

#include <cmath>
#include <filesystem>

#include "ag/core/factory.h"
#include "ag/core/generator.h"
#include "ag/core/parallel.h"
#include "ag/core/serialize.h"
#include "ag/data/data_loader.h"
#include "ag/data/metrics.h"
#include "ag/distributed/collectives.h"
#include "ag/distributed/distributed_data_parallel.h"
#include "ag/nn/functional/loss.h"
#include "ag/optim/adam.h"
#include "ag/optim/clip_grad.h"
#include "ag/train/interrupt.h"
#include "ag/train/metrics_log.h"
#include "ag/train/plot.h"
#include "ag/train/progress.h"
#include "attention_map.h"
#include "checkpoint.h"
#include "evaluate.h"
#include "run_setup.h"
#include "translator.h"

namespace seq2seq {

namespace fs = std::filesystem;
namespace dist = ag::distributed;
using ag::Tensor;
using ag::train::format_duration;

namespace {

// Warmup from lr/warmup up to --lr over `warmup` steps, then the chosen decay. A cosine decay
// without --decay-steps ends with the run, and records where, so a resumed run keeps the curve.
std::unique_ptr<ag::optim::LRScheduler> make_schedule(ag::optim::Optimizer& optimizer, TrainOptions& o,
                                                      size_t batches_per_epoch) {
  const auto warmup = static_cast<double>(std::max<int64_t>(o.optim.warmup, 1));
  if (o.optim.schedule == "cosine") {
    int64_t& decay = o.optim.decay_steps;
    if (decay == 0)
      decay = o.schedule.max_steps > 0 ? o.schedule.max_steps : o.schedule.epochs * static_cast<int64_t>(batches_per_epoch);
    return std::make_unique<ag::optim::WarmupCosineLR>(optimizer, o.optim.warmup, decay);
  }
  const bool inverse_sqrt = o.optim.schedule == "inverse-sqrt";
  return std::make_unique<ag::optim::LambdaLR>(optimizer, [warmup, inverse_sqrt](int64_t step) {
    const double s = static_cast<double>(step + 1);  // the step about to be taken, counted from 1
    if (s < warmup) return s / warmup;
    // fairseq's inverse_sqrt: lr * sqrt(warmup / s), the decay of "Attention Is All You Need".
    return inverse_sqrt ? std::sqrt(warmup / s) : 1.0;
  });
}

// What the ranks agree on after each step.
struct StepTotals {
  double loss;         // the mean of the ranks' losses
  double tokens;       // trained on by all ranks together
  bool interrupted;    // Ctrl-C reached some rank (each gets its own signal, maybe a step apart)
  bool time_up;        // --max-time, by rank 0's clock (the ranks' clocks differ a little)
};

// Collective: one all-reduce of four numbers, so that every rank stops at the same step.
StepTotals agree_after_step(double loss, double tokens, bool interrupted, bool time_up) {
  Tensor t = ag::tensor({loss, tokens, interrupted ? 1.0 : 0.0, time_up && dist::rank() == 0 ? 1.0 : 0.0},
                        ag::kFloat64);
  dist::all_reduce(t, dist::ReduceOp::Sum);
  const std::vector<double> sum = t.to_vector<double>();
  return {sum[0] / dist::world_size(), sum[1], sum[2] > 0, sum[3] > 0};
}

// Dropout's random numbers for one step on one rank, from a generator seeded with (seed, step, rank):
// the ranks drop different units, and a run resumed on as many ranks draws exactly what the
// uninterrupted run drew, with no generator state per rank in the checkpoint.
ag::Generator step_generator(uint64_t seed, int64_t step, int rank) {
  uint64_t x = seed ^ (static_cast<uint64_t>(step) << 20) ^ static_cast<uint64_t>(rank);
  // splitmix64's finaliser: neighbouring inputs give unrelated seeds.
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return ag::Generator(x ^ (x >> 31));
}

// Collective: rank 0's value, on every rank.
double rank0_value(double value) {
  Tensor t = ag::tensor({value}, ag::kFloat64);
  dist::broadcast(t, 0);
  return t.item();
}

class Trainer {
 public:
  Trainer(RunSetup setup, std::ostream& log, bool terminal)
      : o_(std::move(setup.options)),
        run_dir_(std::move(setup.run_dir)),
        leader_(dist::rank() == 0),
        world_(dist::world_size()),
        log_(log),
        progress_(log, terminal, "tok/s"),
        data_(std::move(setup.data)),
        model_(model_config()),
        loader_(data_.train, {.max_tokens = static_cast<size_t>(o_.optim.batch_tokens),
                              .seed = o_.seed,
                              .num_replicas = static_cast<size_t>(world_),
                              .rank = static_cast<size_t>(dist::rank())}),
        optimizer_(model_->parameters(), ag::optim::AdamWOptions(o_.optim.lr)
                                             .betas({0.9, 0.98})
                                             .eps(1e-9)
                                             .weight_decay(o_.optim.weight_decay)),
        schedule_(make_schedule(optimizer_, o_, loader_.num_batches())) {
    const std::optional<SavedCheckpoint>& saved = setup.saved;
    // Only rank 0 writes the log; a resumed run keeps its entries up to the checkpoint.
    if (leader_)
      metrics_.emplace((fs::path(run_dir_) / "metrics.jsonl").string(),
                       saved ? std::optional<int64_t>(saved->state.step) : std::nullopt);
    if (saved) {
      restore_checkpoint(*saved, *model_, optimizer_, *schedule_);
      state_ = saved->state;
      loader_.restore(state_.loader);
      log_ << "resumed at step " << state_.step << " (epoch " << loader_.epoch() + 1 << ", "
           << format_duration(state_.elapsed_s) << " trained)\n";
      if (state_.loader.num_replicas != static_cast<size_t>(world_))
        log_ << fmt::format("world size {} wrote the checkpoint and world size {} resumes it: epoch {} goes on at "
                            "its first whole round of {} batches at or after global batch {}\n",
                            state_.loader.num_replicas, world_, loader_.epoch() + 1, world_, state_.loader.batch);
      warn_if_schedule_ends();
    }
    // Every rank starts from rank 0's weights (identical anyway on --resume) and averages gradients.
    if (world_ > 1) ddp_.emplace(model_.ptr());
    const int threads = ag::get_num_threads();
    log_ << "model: " << model_->num_parameters() << " parameters (d_model " << o_.model.d_model << ", "
         << o_.model.encoder_layers << "+" << o_.model.decoder_layers << " layers, " << o_.model.nhead
         << " heads); " << data_.train.size() << " training pairs, " << loader_.num_batches() << " batches an epoch"
         << (world_ > 1 ? " on each rank" : "") << "; " << threads << (threads == 1 ? " thread" : " threads")
         << (world_ > 1 ? " a rank" : "") << "\n";
    if (world_ > 1)
      log_ << "data parallel on " << world_ << " ranks: each step trains on one batch of about --batch-tokens "
           << o_.optim.batch_tokens << " tokens on every rank, " << world_ << " batches in all\n";
  }

  TrainResult run() {
    ag::train::InterruptGuard interrupt(/*stop_on_continue=*/dist::mpirun_stop_window_s() > 0);
    clock_ = ag::train::Stopwatch(state_.elapsed_s);
    time_up_ = rank0_value(time_limit_passed() ? 1 : 0) > 0;
    // A run that has ended was validated and saved at its end: say so rather than train on, and
    // report it again below.
    if (state_.step > 0 && limit_reached()) log_ << ended_message() << "\n";
    bool interrupted = false;
    while (!limit_reached()) {
      std::optional<ag::data::Batch> batch = loader_.next();
      if (!batch) {  // an epoch is over
        if (o_.schedule.eval_every == 0) validate();
        continue;
      }
      const bool stop = train_step(*batch);
      if (o_.schedule.eval_every > 0 && state_.step % o_.schedule.eval_every == 0) {
        validate();
      } else if (o_.schedule.save_every > 0 && state_.step % o_.schedule.save_every == 0) {
        save_checkpoint_now();
      }
      if (stop) {
        interrupted = true;
        break;
      }
    }
    progress_.break_line();
    TrainResult result;
    if (interrupted) {
      save_checkpoint_now();
      if (leader_) write_loss_curve();
      log_ << "stopped at step " << state_.step << "; the checkpoint is saved. Continue with:\n  seq2seq train --resume "
           << run_dir_ << "\n";
    } else {
      if (state_.last_eval_step != state_.step) validate();
      if (leader_) finish(result);
    }
    dist::barrier();  // no rank leaves (and exits) while rank 0 is still writing
    result.run_dir = run_dir_;
    result.interrupted = interrupted;
    result.steps = state_.step;
    result.elapsed_s = elapsed();
    result.train_losses = state_.train_losses;
    result.best_score = state_.best_score;
    result.model = model_;
    return result;
  }

 private:
  ModelConfig model_config() {
    o_.model.src_vocab_size = static_cast<int64_t>(data_.src.vocab.size());
    o_.model.tgt_vocab_size = static_cast<int64_t>(data_.tgt.vocab.size());
    return o_.model;
  }

  double elapsed() const { return clock_.elapsed_s(); }

  bool time_limit_passed() const { return o_.schedule.max_time > 0 && elapsed() >= o_.schedule.max_time; }

  // The same on every rank: steps and epochs advance together, and the time limit and the exact
  // match are rank 0's.
  bool limit_reached() const {
    const auto& s = o_.schedule;
    if (s.max_steps > 0 && state_.step >= s.max_steps) return true;
    if (time_up_) return true;
    if (s.epochs > 0 && static_cast<int64_t>(loader_.epoch()) >= s.epochs) return true;
    return s.target_exact_match > 0 && state_.last_exact_match >= s.target_exact_match;
  }

  // Which limit_reached() holds, and the flag that would train on.
  std::string ended_message() const {
    const auto& s = o_.schedule;
    std::string ended, more;
    if (s.max_steps > 0 && state_.step >= s.max_steps) {
      ended = fmt::format("reached its last step ({})", s.max_steps), more = "a larger --max-steps";
    } else if (time_up_) {
      ended = fmt::format("used its --max-time ({})", format_duration(s.max_time)), more = "a larger --max-time";
    } else if (s.epochs > 0 && static_cast<int64_t>(loader_.epoch()) >= s.epochs) {
      ended = fmt::format("trained its last epoch ({})", s.epochs), more = "a larger --epochs";
    } else {
      ended = fmt::format("reached its --target-exact-match ({:.2f}%; validation had {:.2f}%)",
                          100 * s.target_exact_match, 100 * state_.last_exact_match);
      more = "a higher --target-exact-match (or 0: none)";
    }
    return fmt::format("seq2seq: the run has {}; nothing to train. Give {} to train on", ended, more);
  }

  // Batches of this epoch this rank has trained on (the loader's position counts every rank's).
  int64_t batches_done() const { return static_cast<int64_t>(loader_.position().batch) / world_; }

  // Returns whether a rank was asked to stop (Ctrl-C): then every rank stops after this step.
  bool train_step(const ag::data::Batch& batch) {
    model_->train();
    optimizer_.zero_grad();
    ag::GeneratorGuard dropout(step_generator(o_.seed, state_.step, dist::rank()));
    const Tensor logits = model_->forward(batch.src_tensor(), batch.src_padding_mask(), batch.tgt_in_tensor());
    const Tensor loss = ag::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}),
                                                          batch.tgt_out_tensor().reshape({-1}), ag::data::Vocab::kPad,
                                                          o_.optim.label_smoothing);
    loss.backward();
    if (ddp_) ddp_->sync_gradients();  // every rank now holds the mean gradient over all ranks' batches
    if (o_.optim.clip_norm > 0) ag::optim::clip_grad_norm_(model_->parameters(), o_.optim.clip_norm);
    const double lr = schedule_->get_last_lr().front();
    optimizer_.step();
    schedule_->step();
    ++state_.step;
    const StepTotals totals =
        agree_after_step(loss.item(), static_cast<double>(batch.num_tgt_tokens + batch.size * batch.src_len),
                         ag::train::InterruptGuard::requested(), time_limit_passed());
    // After the all-reduce, so that every rank stops here together rather than one rank alone.
    AG_CHECK(std::isfinite(totals.loss), "train: the loss became {} at step {}; training diverged. Lower --lr or "
             "raise --warmup, then start again (or --resume from the last checkpoint)", totals.loss, state_.step);
    state_.train_losses.push_back(totals.loss);
    session_tokens_ += totals.tokens;
    time_up_ = totals.time_up;
    report_progress(lr);
    return totals.interrupted;
  }

  void report_progress(double lr) {
    const double session_s = clock_.session_s();
    const int64_t session_steps = ++session_steps_;
    ag::train::StepStats p;
    p.epoch = static_cast<int64_t>(loader_.epoch()) + 1;
    p.step = state_.step;
    p.loss = ag::train::mean_of_last(state_.train_losses, 50);
    p.lr = lr;
    p.rate = session_tokens_ / std::max(session_s, 1e-9);
    p.elapsed_s = elapsed();
    const double per_step = session_s / static_cast<double>(session_steps);
    const auto& s = o_.schedule;
    auto consider = [&](double eta) { p.eta_s = p.eta_s ? std::min(*p.eta_s, eta) : eta; };
    if (s.max_steps > 0) consider(static_cast<double>(s.max_steps - state_.step) * per_step);
    if (s.max_time > 0) consider(s.max_time - p.elapsed_s);
    if (s.epochs > 0) {
      const double left = static_cast<double>((s.epochs - static_cast<int64_t>(loader_.epoch())) *
                                                  static_cast<int64_t>(loader_.num_batches()) -
                                              batches_done());
      consider(left * per_step);
    }
    progress_.update(p);
    if (session_steps == 3 && leader_) warn_if_steps_outlast_mpirun_stop(per_step);
  }

  // Ctrl-C under mpirun leaves the ranks mpirun_stop_window_s() to finish their step and save before
  // mpirun kills them (their previous checkpoint stays, but the steps since are lost). Say so once
  // when a step alone takes half of that, with the mpirun setting that gives them the time.
  void warn_if_steps_outlast_mpirun_stop(double per_step) {
    const double window = dist::mpirun_stop_window_s();
    if (window == 0 || per_step < window / 2) return;
    progress_.break_line();
    log_ << fmt::format("note: a step takes {:.1f} s, and after Ctrl-C mpirun gives the ranks {:.0f} s to finish it "
                        "and save before it kills them; to let Ctrl-C save, start mpirun with "
                        "--mca odls_base_sigkill_timeout {:.0f}\n",
                        per_step, window, std::ceil(2 * per_step) + 5);
  }

  // Validation scores; the one that picks the best checkpoint is exact match on the built-in task
  // (what it is judged by) and BLEU on a corpus.
  // A cosine schedule's length is fixed when the run starts (--decay-steps, or the run's length
  // then), so that a resumed run continues the same curve. A run extended past that end would train
  // at learning rate 0; say so, and how to stretch the curve instead.
  void warn_if_schedule_ends() {
    const auto& s = o_.schedule;
    const int64_t end = s.max_steps > 0 ? s.max_steps : s.epochs * static_cast<int64_t>(loader_.num_batches());
    const int64_t decay = o_.optim.decay_steps;
    if (o_.optim.schedule != "cosine" || end <= decay) return;
    log_ << fmt::format("warning: the cosine schedule reaches learning rate 0 at step {} (its length was fixed when "
                        "the run started), but this run goes on to step {}: the steps after {} would change nothing. "
                        "Give --decay-steps {} to stretch the curve to the new end.\n",
                        decay, end, decay, end);
  }

  // Collective: rank 0 validates and saves while the others wait for its exact match (--target-exact-match).
  void validate() {
    if (leader_) validate_on_rank0();
    state_.last_eval_step = state_.step;
    state_.last_exact_match = rank0_value(state_.last_exact_match);
  }

  void validate_on_rank0() {
    progress_.break_line();
    const Evaluation e = evaluate(*model_, data_.src, data_.tgt, data_.valid, data_.valid_pairs, o_.optim.batch_tokens);
    const double epoch = static_cast<double>(loader_.epoch()) +
                         static_cast<double>(batches_done()) / std::max<double>(1, loader_.num_batches());
    const int64_t since = state_.last_eval_step < 0 ? 0 : state_.last_eval_step;
    double train_loss = 0;
    for (int64_t i = since; i < state_.step; ++i) train_loss += state_.train_losses[i] / double(state_.step - since);
    const nlohmann::json entry = {{"epoch", std::round(epoch * 1000) / 1000}, {"step", state_.step},
                                  {"elapsed_s", std::round(elapsed() * 10) / 10}, {"train_loss", train_loss},
                                  {"val_loss", e.loss}, {"exact_match", e.exact_match}, {"bleu", e.bleu},
                                  {"chrf", e.chrf}, {"lr", schedule_->get_last_lr().front()}};
    metrics_->append(entry);
    state_.last_exact_match = e.exact_match;
    const double score = o_.data.built_in() ? e.exact_match : e.bleu;
    const bool best = score > state_.best_score;
    log_ << fmt::format("validation at step {} (epoch {:.2f}): loss {:.4f} | exact match {:.2f}% | BLEU {:.2f} | "
                        "chrF {:.2f}{}\n",
                        state_.step, epoch, e.loss, 100 * e.exact_match, e.bleu, e.chrf, best ? " | best so far" : "")
         << std::flush;
    state_.last_eval_step = state_.step;
    if (best) {
      state_.best_score = score;
      state_.best_step = state_.step;
      save_model((fs::path(run_dir_) / kBestFile).string(), *model_, data_.src, data_.tgt, entry);
    }
    save_checkpoint_now();
  }

  void save_checkpoint_now() {
    if (!leader_) return;
    state_.loader = loader_.position();
    state_.elapsed_s = elapsed();
    save_checkpoint((fs::path(run_dir_) / kCheckpointFile).string(), o_, data_.src, data_.tgt, *model_, optimizer_,
                    *schedule_, state_);
    save_model((fs::path(run_dir_) / kModelFile).string(), *model_, data_.src, data_.tgt,
               {{"step", state_.step}, {"elapsed_s", state_.elapsed_s}});
  }

  void write_loss_curve() {
    std::vector<ag::train::CurvePoint> validation;
    for (const auto& entry : metrics_->entries())
      validation.push_back({entry["step"].get<double>(), entry["val_loss"].get<double>()});
    ag::write_file_atomically((fs::path(run_dir_) / "loss.svg").string(),
                              ag::train::loss_curve_svg(state_.train_losses, validation));
  }

  // The report at the end of a run, made with the best weights.
  void finish(TrainResult& result) {
    write_loss_curve();
    LoadedModel best = load_model((fs::path(run_dir_) / kBestFile).string());
    Translator translator(*best.model, data_.src, data_.tgt, SearchOptions{}, o_.optim.batch_tokens);
    log_ << "best validation score at step " << state_.best_step << "; sample translations:\n";
    std::vector<std::string> sources;
    for (size_t i = 0; i < std::min<size_t>(5, data_.valid_pairs.size()); ++i) sources.push_back(data_.valid_pairs[i].src);
    const std::vector<std::string> outputs = translator.translate(sources);
    for (size_t i = 0; i < sources.size(); ++i)
      log_ << "  " << sources[i] << "  =>  " << outputs[i] << "   (reference: " << data_.valid_pairs[i].tgt << ")\n";

    const TokenIds source = data_.src.encode(sources.front());
    const TokenIds output = translator.translate_ids({source}).front();
    write_attention_svg((fs::path(run_dir_) / "attention.svg").string(),
                        cross_attention_map(*best.model, data_.src, data_.tgt, source, output),
                        "cross-attention, last decoder layer, mean over heads: " + sources.front());
    if (!data_.test_pairs.empty()) {
      std::vector<std::string> test_sources, references;
      for (const auto& pair : data_.test_pairs) {
        test_sources.push_back(pair.src);
        references.push_back(data_.tgt.normalize(pair.tgt));
      }
      result.test_exact_match = ag::data::exact_match(translator.translate(test_sources), references);
      log_ << fmt::format("held-out test set: exact match {:.2f}% on {} examples (greedy)\n",
                          100 * *result.test_exact_match, references.size());
    }
    log_ << fmt::format("trained {} steps in {}; wrote {}/{{{}, {}, {}, metrics.jsonl, loss.svg, attention.svg}}\n",
                        state_.step, format_duration(elapsed()), run_dir_, kBestFile, kModelFile, kCheckpointFile);
  }

  TrainOptions o_;
  std::string run_dir_;  // rank 0's
  bool leader_;          // rank 0: validates, logs, writes the run directory
  int world_;
  std::ostream& log_;
  ag::train::Progress progress_;
  TrainingData data_;
  Seq2Seq model_;
  ag::data::DataLoader loader_;
  ag::optim::AdamW optimizer_;
  std::unique_ptr<ag::optim::LRScheduler> schedule_;
  std::optional<dist::DistributedDataParallel> ddp_;  // with more than one rank
  std::optional<ag::train::MetricsLog> metrics_;      // rank 0's
  TrainingState state_;
  ag::train::Stopwatch clock_;
  int64_t session_steps_ = 0;
  double session_tokens_ = 0;
  bool time_up_ = false;
};

}  // namespace

TrainResult train(const TrainOptions& given, const FlagGiven& was_given, std::ostream& log, bool log_is_terminal) {
  dist::init();  // a world of one unless mpirun started this process; nothing if main() already did
  // One voice: the other ranks' progress and reports go nowhere (a stream without a buffer).
  std::ostream nowhere(nullptr);
  std::ostream& out = dist::rank() == 0 ? log : nowhere;
  Trainer trainer(set_up_run(given, was_given, out), out, log_is_terminal);
  return trainer.run();
}

}  // namespace seq2seq
