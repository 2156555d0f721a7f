// What `classify train` learns from: the training and validation texts with one list of classes,
// read from class folders or label<TAB>text files (ag/data/labelled_text.h), or the built-in task.
#pragma once
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "ag/data/labelled_text.h"

namespace classify {

using ag::data::LabelledTexts;

// The built-in task, so that `classify train` runs with no data: short generated messages about
// one of three topics (weather, food, sport), each naming two or three words of its topic among
// everyday words and, one time in four, a word of another topic. Unbalanced on purpose (about
// 55/30/15%), like most real data. Same seed, same texts.
LabelledTexts generated_task(int64_t count, uint64_t seed);

// Renumbers `data`'s targets into `classes` (a model's), which must hold every class of `data`;
// `what` names the data in the error otherwise.
void use_classes(LabelledTexts& data, const std::vector<std::string>& classes, const std::string& what);

struct Splits {
  LabelledTexts train, val;
  std::string train_name, val_name;  // for the log: paths, or what was generated or held out
};

// train: a path, or empty for the built-in task. val: a path, or empty to hold out `holdout` (a
// fraction) of the training texts at random. Logs what was read and cleaned.
Splits read_splits(const std::string& train, const std::string& val, const ag::data::LabelledReadOptions& reading,
                   double holdout, uint64_t seed,
                   std::ostream& log);

}  // namespace classify
