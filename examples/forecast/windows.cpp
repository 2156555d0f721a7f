// Scaling windows and drawing training batches (see windows.h).
#include "windows.h"

#include <cmath>
#include <sstream>

#include "ag/core/error.h"
#include "ag/core/factory.h"
#include "holt_winters.h"

namespace forecast {

namespace {
double mean_of(std::span<const double> values) {
  double sum = 0;
  for (double x : values) sum += x;
  return sum / static_cast<double>(values.size());
}
}  // namespace

WindowScale window_scale(std::span<const double> context, int64_t level) {
  const double mean = mean_of(context);
  double square = 0;
  for (double x : context) square += (x - mean) * (x - mean);
  const double std = std::sqrt(square / static_cast<double>(context.size()));
  const bool latest = level > 0 && static_cast<size_t>(level) < context.size();
  return {latest ? mean_of(context.last(static_cast<size_t>(level))) : mean, std > 0 ? std : 1.0};
}

std::vector<double> base_forecast(std::span<const double> values, int64_t origin, const ModelConfig& model,
                                  const WindowScale& scale) {
  const HoltWintersBase& hw = model.hw;
  if (!hw.on) return std::vector<double>(static_cast<size_t>(model.horizon), scale.mean);
  const auto before = values.first(static_cast<size_t>(origin));
  const size_t n = hw.history > 0 ? std::min(static_cast<size_t>(hw.history), before.size()) : before.size();
  return HoltWinters::smooth(before.last(n), hw.season, hw.alpha, hw.beta, hw.gamma).forecast(model.horizon);
}

Batch make_batch(const Series& series, std::span<const int64_t> starts, const ModelConfig& model, BaseCache* cache) {
  const auto B = static_cast<int64_t>(starts.size());
  const int64_t C = model.context, H = model.horizon, P = model.patch, N = C / P;
  const int64_t F = model.calendar > 0 ? series.calendar_features() : 0;
  std::vector<float> context, target, features;
  bool have_targets = true;
  Batch batch;
  for (int64_t start : starts) {
    AG_CHECK(start >= 0 && start + C <= series.size(), "windows: a context of {} at {} does not fit {} values", C,
             start, series.size());
    const std::span<const double> values(series.values);
    const WindowScale scale =
        window_scale(values.subspan(static_cast<size_t>(start), static_cast<size_t>(C)), model.level);
    batch.scales.push_back(scale);
    const int64_t origin = start + C;
    std::vector<double> base;
    if (cache && model.hw.on) {
      const auto [kept, fresh] = cache->try_emplace(origin);
      if (fresh) kept->second = base_forecast(values, origin, model, scale);
      base = kept->second;
    } else {
      base = base_forecast(values, origin, model, scale);
    }
    for (int64_t t = start; t < origin; ++t) context.push_back(static_cast<float>(scale.normalise(values[t])));
    have_targets = have_targets && origin + H <= series.size();
    for (int64_t t = origin; have_targets && t < origin + H; ++t)
      target.push_back(static_cast<float>((values[t] - base[static_cast<size_t>(t - origin)]) / scale.std));
    batch.bases.push_back(std::move(base));
    for (int64_t n = 0; n < N && F > 0; ++n) {
      const auto& day = series.calendar[static_cast<size_t>(start + (n + 1) * P - 1)];
      features.insert(features.end(), day.begin(), day.end());
    }
  }
  batch.context = ag::from_vector(context, {B, C});
  if (F > 0) batch.calendar = ag::from_vector(features, {B, N, F});
  if (have_targets) batch.target = ag::from_vector(target, {B, H});
  return batch;
}

WindowSampler::WindowSampler(const Series& series, int64_t end, int64_t batch_size, const ModelConfig& model,
                             uint64_t seed)
    : series_(series), end_(end), batch_size_(batch_size), model_(model), rng_(seed) {
  AG_CHECK(windows() > 0,
           "{}: {} values for training are too few for one window of --context {} + --horizon {}; shorten them",
           series.name, end, model.context, model.horizon);
}

Batch WindowSampler::next() {
  std::vector<int64_t> starts(static_cast<size_t>(batch_size_));
  for (int64_t& start : starts) start = static_cast<int64_t>(ag::data::uniform_below(rng_, static_cast<uint64_t>(windows())));
  return make_batch(series_, starts, model_, &bases_);
}

std::string WindowSampler::state() const {
  std::ostringstream out;
  out << rng_;
  return out.str();
}

void WindowSampler::set_state(const std::string& state) {
  std::istringstream in(state);
  in >> rng_;
  AG_CHECK(!in.fail(), "windows: the saved generator state is damaged");
}

}  // namespace forecast
