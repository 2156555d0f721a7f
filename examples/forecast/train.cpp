// The training loop around the forecaster (see train.h). The run directory, the checkpoint's
// layout, the progress line, the metrics log, Ctrl-C and the loss curve are the training kit's.
#include "train.h"

#include <optional>

#include "ag/core/error.h"
#include "ag/core/generator.h"
#include "ag/core/json_number.h"
#include "ag/core/parallel.h"
#include "ag/core/serialize.h"
#include "ag/data/csv.h"
#include "ag/optim/adam.h"
#include "ag/optim/clip_grad.h"
#include "ag/optim/lr_scheduler.h"
#include "ag/train/train.h"
#include "holt_winters.h"
#include "weights.h"
#include "windows.h"

namespace forecast {

namespace optim = ag::optim;
namespace train_kit = ag::train;
using nlohmann::json;

std::unique_ptr<optim::Optimizer> make_optimizer(ForecasterImpl& model, const TrainOptions& options) {
  optim::AdamWOptions adamw(options.lr);
  adamw.weight_decay(options.weight_decay);
  return optim::adamw_decaying_matrices(model.parameters(), adamw);
}

namespace {

const train_kit::FileFormat kFormat{"ag-forecast-checkpoint-1", "forecast"};
const train_kit::RunFiles kFiles{
    .program = "forecast train",
    .checkpoint = "checkpoint.safetensors",
    .outputs = {"model.safetensors", "metrics.jsonl", "loss.svg", "report.json", "forecast.svg", "forecast.csv"}};

Series read_series(const TrainOptions& o) {
  return o.data.empty() ? generated_series() : series_from_csv(ag::data::read_csv(o.data), o.column);
}

// Fills in the settings left at 0 from the series (the season from its time column, a horizon of
// one season, a context of three seasons or two horizons), then checks that the cut fits.
void settle(TrainOptions& o, const Series& s) {
  o.validate(/*settled=*/false);  // bounds every value the arithmetic below uses
  if (o.season == 0) o.season = s.guess_season();
  AG_CHECK(o.season != 0, "{}: the time column does not tell the season; give --season", s.name);
  if (o.model.horizon == 0) o.model.horizon = o.season;
  if (o.model.context == 0) {
    const int64_t wanted = std::max(3 * o.season, 2 * o.model.horizon), patch = std::max<int64_t>(o.model.patch, 1);
    o.model.context = (wanted + patch - 1) / patch * patch;
  }
  AG_CHECK(!o.calendar || s.calendar_features() > 0, "{}: --calendar needs dates or decimal years in the time column",
           s.name);
  o.model.calendar = o.calendar ? s.calendar_features() : 0;
  o.model.hw.season = o.model.hw.on ? o.season : 0;
  o.validate();
  const int64_t H = o.model.horizon, C = o.model.context, held_out = (1 + o.valid_origins) * H;
  AG_CHECK(s.size() - held_out >= C + H && s.size() - held_out > o.season,
           "{}: {} values are too few: the test and validation take (1 + --valid-origins) x --horizon ({}), and "
           "training needs at least one window of --context {} + --horizon {} before them", s.name, s.size(), held_out,
           C, H);
  if (!o.model.hw.on) return;
  // --hw-residual: the smoothing is fitted once, on the training values (the same again on --resume).
  const HoltWinters fitted = HoltWinters::fit(std::span(s.values).first(static_cast<size_t>(s.size() - held_out)),
                                              o.season);
  o.model.hw.alpha = fitted.alpha, o.model.hw.beta = fitted.beta, o.model.hw.gamma = fitted.gamma;
}

// A model with its optimizer, schedule and window sampler (windows ending by `end`): what a
// training step needs. The model's initial weights come from the global generator.
struct Fit {
  Fit(const TrainOptions& o, const Series& series, int64_t end)
      : model(o.model), optimizer(make_optimizer(*model, o)), schedule(*optimizer, o.warmup, o.decay_steps, o.min_lr),
        sampler(series, end, o.batch_size, o.model, o.seed) {}

  train_kit::StepReport step(double clip) {
    const Batch batch = sampler.next();
    const double lr = schedule.get_last_lr()[0];
    optimizer->zero_grad();
    const ag::Tensor loss = pinball_loss(model->forward(batch.context, batch.calendar), batch.target);
    loss.backward();
    if (clip > 0) optim::clip_grad_norm_(model->parameters(), clip);
    optimizer->step();
    schedule.step();
    return {.loss = loss.item(), .lr = lr, .items = static_cast<double>(batch.context.size(0))};
  }

  Forecaster model;
  std::unique_ptr<optim::Optimizer> optimizer;
  optim::WarmupCosineLR schedule;
  WindowSampler sampler;
};

// One run, fresh or resumed: the model, its optimizer and schedule, the window sampler, and the
// kit's pieces that report and save it.
class Run {
 public:
  Run(TrainOptions options, train_kit::RunDir dir, Series series, const std::optional<train_kit::Checkpoint>& saved,
      std::ostream& log, bool terminal)
      : o_(std::move(options)), dir_(std::move(dir)), series_(std::move(series)), log_(log), terminal_(terminal),
        fit_(o_, series_, valid_start(o_.valid_origins - 1)),
        metrics_(dir_.file("metrics.jsonl"), saved ? std::optional(saved->state().step) : std::nullopt),
        loop_({.max_steps = o_.max_steps, .max_time = o_.max_time, .validate_every = o_.eval_every,
               .save_every = o_.save_every, .program = kFiles.program, .run_dir = dir_.path()},
              state_, log, terminal, "win/s") {
    log_ << fmt::format("forecast: {}: {} values; training windows end by {} ({} of them), validation {} x {} "
                        "values, test the last {}; season {}, context {}, model {} parameters\n",
                        series_.name, series_.size(), valid_start(o_.valid_origins - 1), fit_.sampler.windows(),
                        o_.valid_origins, o_.model.horizon, o_.model.horizon, o_.season, o_.model.context,
                        fit_.model->num_parameters());
    const HoltWintersBase& hw = o_.model.hw;
    if (hw.on)
      log_ << fmt::format("forecast: the model learns the residual of Holt-Winters over {} before each origin "
                          "(smoothing from the training values: alpha {:.3f}, beta {:.3f}, gamma {:.3f})\n",
                          hw.history > 0 ? fmt::format("the {} values", hw.history) : "all the values", hw.alpha,
                          hw.beta, hw.gamma);
    if (!saved) return;
    saved->restore({*fit_.model, *fit_.optimizer, &fit_.schedule});
    state_ = saved->state();
    const json& extra = state_.extra;
    AG_CHECK(extra.contains("sampler") && extra["sampler"].is_string() && extra.contains("best") &&
                 extra["best"].is_number(),
             "{}: the saved state has no window sampler or best validation score", saved->file().path());
    fit_.sampler.set_state(extra["sampler"].get<std::string>());
    best_ = extra["best"].get<double>();
  }

  TrainResult run() {
    TrainResult result;
    // A run resumed after its training ended trains nothing (the loop says so) and goes on to the
    // refit, if it was stopped before that was done, and to the test.
    result.interrupted =
        loop_.run({[this] { return fit_.step(o_.clip); }, [this] { validate(); }, [this] { save(); }});
    if (!result.interrupted && o_.refit) result.interrupted = refit();
    result.steps = state_.step;
    result.train_losses = state_.train_losses;
    result.seconds = state_.elapsed_s;  // as of the last save: the same again when a resumed run has nothing to do
    result.best_valid_mase = best_;
    if (!result.interrupted) test(result);
    return result;
  }

 private:
  // The k-th validation origin from the test backwards: validation k forecasts the H values from it.
  int64_t valid_start(int64_t k) const { return series_.size() - (2 + k) * o_.model.horizon; }
  int64_t test_start() const { return series_.size() - o_.model.horizon; }

  // --refit: a fresh model from the same seed, trained on every window before the test (the
  // validation values too, so that the test forecast has learnt the latest dynamics) for as many
  // steps as the kept weights had, along the same schedule; it replaces them in model.safetensors,
  // with the interval margin the validation calibrated. Not checkpointed: a run stopped here
  // resumes from the end of training and refits from the start, which is the same refit.
  bool refit() {
    const LoadedModel kept = load_model(dir_.file("model.safetensors"));
    // Refit already: a resumed run that had ended, or that found no better weights to refit.
    if (kept.info.contains("refit") && kept.info["refit"] == true) return false;
    const int64_t steps = ag::json_integer(kept.info.at("step"), "the kept model's step", 1);
    ag::manual_seed(o_.seed);
    Fit fit(o_, series_, test_start());
    log_ << fmt::format("forecast: refitting on the {} values before the test ({} windows) for {} steps\n",
                        test_start(), fit.sampler.windows(), steps);
    train_kit::TrainState state;
    train_kit::Loop loop({.max_steps = steps, .validate_every = steps, .save_every = steps,
                          .program = kFiles.program, .run_dir = dir_.path()},
                         state, log_, terminal_, "win/s");
    if (loop.run({[&] { return fit.step(o_.clip); }, [] {}, [] {}})) return true;
    json info = kept.info;
    info["refit"] = true;
    save_model(dir_.file("model.safetensors"), *fit.model, series_.column, o_.season, info);
    return false;
  }

  // The forecasts of the validation values from every origin; keeps the weights when their mean
  // MASE is the best so far, with the interval margin those forecasts calibrate.
  void validate() {
    const bool first = !baselines_logged_;
    std::vector<Evaluation> origins;
    for (int64_t k = 0; k < o_.valid_origins; ++k)
      origins.push_back(evaluate(*fit_.model, series_, valid_start(k), o_.season, /*holt_winters=*/first));
    const MeanScores e = mean_scores(origins);
    metrics_.append({{"step", state_.step}, {"elapsed_s", loop_.elapsed_s()},
                     {"train_loss", train_kit::mean_of_last(state_.train_losses, o_.eval_every)},
                     {"val_mase", e.model.mase}, {"val_mae", e.model.mae}, {"val_smape", e.model.smape},
                     {"val_pinball", e.pinball}, {"val_coverage", e.coverage}});
    if (first)
      log_ << fmt::format("forecast: validation MASE of the baselines: seasonal naive {:.3f}, Holt-Winters {:.3f}\n",
                          e.naive.mase, e.holt_winters.mase);
    baselines_logged_ = true;
    const bool better = best_ < 0 || e.model.mase < best_;
    log_ << fmt::format("forecast: step {}: validation MASE {:.3f}, 80% coverage {:.2f}{}\n", state_.step,
                        e.model.mase, e.coverage, better ? " (best so far, kept)" : "")
         << std::flush;
    if (!better) return;
    best_ = e.model.mase;
    save_model(dir_.file("model.safetensors"), *fit_.model, series_.column, o_.season,
               {{"step", state_.step}, {"val_mase", best_},
                {"interval_margin", interval_margin(origins, kQuantiles[2] - kQuantiles[0])}});
  }

  // The checkpoint and the loss curve, each replaced atomically.
  void save() {
    state_.extra["sampler"] = fit_.sampler.state();
    state_.extra["best"] = best_;
    train_kit::save_checkpoint(dir_.file(kFiles.checkpoint), kFormat, {*fit_.model, *fit_.optimizer, &fit_.schedule},
                               state_, saved_json(o_));
    std::vector<train_kit::CurvePoint> validation;
    for (const json& entry : metrics_.entries())
      validation.push_back({entry["step"].get<double>(), entry["val_pinball"].get<double>()});
    ag::write_file_atomically(dir_.file("loss.svg"),
                              train_kit::loss_curve_svg(state_.train_losses, validation, "Pinball loss"));
  }

  // The kept weights on the test values, beside the baselines: the table, report.json, the chart
  // and every forecast value in forecast.csv.
  void test(TrainResult& result) {
    const LoadedModel best = load_model(dir_.file("model.safetensors"));
    result.test = evaluate(*best.model, series_, test_start(), o_.season, /*holt_winters=*/true,
                           best.interval_margin());
    const int64_t kept_step = ag::json_integer(best.info.value("step", json(0)), "the kept model's step", 0);
    result.report = format_evaluation(
        result.test, fmt::format("{}: the last {} values (held out), season {}; transformer from step {}{}{}",
                                 series_.name, o_.model.horizon, o_.season, kept_step,
                                 o_.refit ? ", refit on the validation values too" : "",
                                 o_.model.hw.on ? ", on Holt-Winters' forecast" : ""));
    json report = evaluation_json(result.test);
    report["series"] = series_.name, report["horizon"] = o_.model.horizon, report["season"] = o_.season;
    report["best_val_mase"] = best_, report["steps"] = state_.step, report["train_seconds"] = result.seconds;
    ag::write_file_atomically(dir_.file("report.json"), report.dump(2) + "\n");
    ag::write_file_atomically(dir_.file("forecast.svg"), evaluation_svg(result.test, series_, series_.name));
    std::string csv = "time,actual,forecast,lower_80,upper_80,seasonal_naive,holt_winters\n";
    const Evaluation& e = result.test;
    for (size_t h = 0; h < e.actual.size(); ++h)
      csv += fmt::format("{},{},{},{},{},{},{}\n", series_.labels[static_cast<size_t>(e.end) + h], e.actual[h],
                         e.model.median[h], e.model.lower[h], e.model.upper[h], e.seasonal_naive[h], e.holt_winters[h]);
    ag::write_file_atomically(dir_.file("forecast.csv"), csv);
    log_ << fmt::format("forecast: {} steps in {}; wrote {}/{{model.safetensors, report.json, forecast.svg, "
                        "forecast.csv, metrics.jsonl, loss.svg}}\n",
                        state_.step, train_kit::format_duration(result.seconds), dir_.path());
  }

  TrainOptions o_;
  train_kit::RunDir dir_;
  Series series_;
  std::ostream& log_;
  bool terminal_;
  Fit fit_;
  train_kit::MetricsLog metrics_;
  train_kit::TrainState state_;
  train_kit::Loop loop_;
  double best_ = -1;  // the best validation MASE so far (-1: none yet)
  bool baselines_logged_ = false;
};

}  // namespace

TrainResult train(const TrainOptions& given, std::ostream& log, bool log_is_terminal,
                  const train_kit::FlagGiven& was_given) {
  TrainOptions options = given;
  std::optional<train_kit::Checkpoint> saved;
  std::optional<train_kit::RunDir> dir;
  if (given.resume.empty()) {
    if (options.decay_steps == 0) options.decay_steps = options.max_steps;
    options.validate(/*settled=*/false);  // the flags' ranges before this machine's thread limit
  } else {
    dir = train_kit::RunDir::resume(given.resume, kFiles, log);
    saved = train_kit::Checkpoint::load(dir->file(kFiles.checkpoint), kFormat);
    options = train_kit::resume_settings(given, was_given ? was_given : train_kit::given_unless_default(given),
                                         saved_train_options(saved->options(), saved->file().path() + ": options"),
                                         kFiles.program, "only run length, reporting and --threads may change");
    options.out = given.resume;
  }
  // The thread count and the data are checked before RunDir::fresh, so that --force deletes nothing
  // when either is refused. The count is held to this machine's cores here, not with the other
  // settings: a checkpoint may come from a machine with more.
  ag::use_threads_flag(options.threads);
  Series series = read_series(options);
  settle(options, series);
  if (given.resume.empty()) dir = train_kit::RunDir::fresh(options.out, kFiles, options.force, log);
  ag::manual_seed(options.seed);
  Run run(std::move(options), std::move(*dir), std::move(series), saved, log, log_is_terminal);
  return run.run();
}

}  // namespace forecast
