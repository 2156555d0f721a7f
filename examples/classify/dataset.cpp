// Reading the training and validation texts, and the built-in generated task; see dataset.h.
#include "dataset.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <span>

#include "ag/core/error.h"
#include "ag/data/random.h"

namespace classify {

namespace {

using ag::data::Rng;

struct Topic {
  const char* name;
  int64_t weight;  // out of 20
  std::array<const char*, 10> words;
};

constexpr std::array<Topic, 3> kTopics{{
    {"food", 6, {"bread", "soup", "cheese", "apples", "dinner", "recipe", "garlic", "oven", "salad", "pasta"}},
    {"sport", 3, {"match", "goal", "team", "coach", "league", "score", "runner", "stadium", "referee", "season"}},
    {"weather", 11, {"rain", "sunny", "storm", "cloudy", "wind", "forecast", "snow", "fog", "thunder", "humid"}},
}};

constexpr std::array<const char*, 16> kEveryday{"the", "a", "today", "we", "saw", "some", "really", "and",
                                                "it", "was", "after", "my", "friend", "said", "very", "again"};

const char* pick(Rng& rng, std::span<const char* const> words) {
  return words[ag::data::uniform_below(rng, words.size())];
}

// A topic drawn by weight: weather 11/20, food 6/20, sport 3/20.
size_t draw_topic(Rng& rng) {
  int64_t r = ag::data::uniform_int(rng, 0, 19);
  for (size_t t = 0;; ++t) {
    if (r < kTopics[t].weight) return t;
    r -= kTopics[t].weight;
  }
}

}  // namespace

LabelledTexts generated_task(int64_t count, uint64_t seed) {
  Rng rng(seed);
  LabelledTexts data;
  for (const Topic& topic : kTopics) data.classes.push_back(topic.name);
  for (int64_t i = 0; i < count; ++i) {
    const size_t topic = draw_topic(rng);
    std::vector<std::string> words;
    for (int64_t w = ag::data::uniform_int(rng, 4, 9); w > 0; --w) words.push_back(pick(rng, kEveryday));
    for (int64_t w = ag::data::uniform_int(rng, 2, 3); w > 0; --w) words.push_back(pick(rng, kTopics[topic].words));
    if (ag::data::uniform_below(rng, 4) == 0) {
      const size_t other = (topic + 1 + ag::data::uniform_below(rng, kTopics.size() - 1)) % kTopics.size();
      words.push_back(pick(rng, kTopics[other].words));
    }
    ag::data::shuffle(words, rng);
    std::string text;
    for (const std::string& word : words) text += (text.empty() ? "" : " ") + word;
    data.texts.push_back(text);
    data.targets.push_back(static_cast<int64_t>(topic));
  }
  data.report.texts = count;
  return data;
}

void use_classes(LabelledTexts& data, const std::vector<std::string>& classes, const std::string& what) {
  std::vector<int64_t> index_of(data.classes.size());
  for (size_t c = 0; c < data.classes.size(); ++c) {
    const auto it = std::find(classes.begin(), classes.end(), data.classes[c]);
    AG_CHECK(it != classes.end(), "{} has the class '{}', which the model does not know (it knows {})", what,
             data.classes[c], fmt::join(classes, ", "));
    index_of[c] = it - classes.begin();
  }
  for (int64_t& target : data.targets) target = index_of[static_cast<size_t>(target)];
  data.classes = classes;
}

namespace {

// Moves a random `fraction` of `from`'s texts into a new set.
LabelledTexts hold_out(LabelledTexts& from, double fraction, uint64_t seed) {
  std::vector<size_t> order(from.texts.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  Rng rng(seed);
  ag::data::shuffle(order, rng);
  const auto held = static_cast<size_t>(static_cast<double>(order.size()) * fraction);
  AG_CHECK(held >= 1 && held < order.size(), "{} texts are too few to hold out {:.0f}% for validation; give --val",
           order.size(), 100 * fraction);
  std::sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(held));  // keep the file order
  std::vector<bool> is_held(order.size(), false);
  LabelledTexts val, kept;
  val.classes = kept.classes = from.classes;
  for (size_t k = 0; k < held; ++k) is_held[order[k]] = true;
  for (size_t i = 0; i < from.texts.size(); ++i) {
    LabelledTexts& to = is_held[i] ? val : kept;
    to.texts.push_back(std::move(from.texts[i]));
    to.targets.push_back(from.targets[i]);
  }
  kept.report = from.report;
  val.report.texts = static_cast<int64_t>(val.texts.size());
  kept.report.texts = static_cast<int64_t>(kept.texts.size());
  from = std::move(kept);
  return val;
}

}  // namespace

Splits read_splits(const std::string& train, const std::string& val, const ag::data::LabelledReadOptions& reading,
                   double holdout, uint64_t seed,
                   std::ostream& log) {
  AG_CHECK(!(train.empty() && !val.empty()), "--val needs --train (the built-in task makes its own validation set)");
  AG_CHECK(!(train.empty() && reading.mail), "--mail needs --train (a folder of raw messages per class)");
  AG_CHECK(reading.mail || reading.mail_headers.empty(), "--mail-headers needs --mail");
  Splits s;
  if (train.empty()) {
    s.train = generated_task(1200, seed), s.train_name = "the built-in task (weather, food, sport)";
    s.val = generated_task(300, seed + 1), s.val_name = "its validation set";
  } else {
    s.train = ag::data::read_labelled_texts(train, reading), s.train_name = train;
    log << "classify: " << train << ": " << s.train.report.summary() << "\n";
    if (val.empty()) {
      s.val = hold_out(s.train, holdout, seed);
      s.val_name = fmt::format("{:.0f}% of it held out", 100 * holdout);
    } else {
      s.val = ag::data::read_labelled_texts(val, reading), s.val_name = val;
      log << "classify: " << val << ": " << s.val.report.summary() << "\n";
      use_classes(s.val, s.train.classes, val);
    }
  }
  log << fmt::format("classify: {} classes; {} training texts from {}, {} validation texts from {}\n",
                     s.train.classes.size(), s.train.texts.size(), s.train_name, s.val.texts.size(), s.val_name);
  AG_CHECK(s.train.classes.size() >= 2, "{} has only the class '{}'; a classifier needs at least two", s.train_name,
           s.train.classes.front());
  return s;
}

}  // namespace classify
