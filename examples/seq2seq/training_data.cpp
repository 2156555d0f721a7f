// Reading, tokenizing and filtering the training and validation text.
#include "training_data.h"

#include <filesystem>

#include "ag/core/error.h"
#include "ag/data/sentencepiece_tokenizer.h"
#include "ag/data/tasks.h"
#include "ag/data/text_file.h"

namespace seq2seq {

namespace fs = std::filesystem;
using ag::data::TextPair;

namespace {

struct Texts {
  std::vector<TextPair> train, valid, test;
};

Texts read_texts(const DataOptions& o, uint64_t seed, std::ostream& log) {
  Texts texts;
  if (o.built_in()) {
    auto splits = ag::data::make_task_splits(o.task, {.train = static_cast<size_t>(o.task_train),
                                                      .val = static_cast<size_t>(o.task_valid),
                                                      .test = static_cast<size_t>(o.task_test)},
                                             seed);
    log << "built-in task '" << o.task << "': " << splits.train.size() << " training, " << splits.val.size()
        << " validation and " << splits.test.size() << " held-out test examples, e.g. '" << splits.train[0].src
        << "' -> '" << splits.train[0].tgt << "'\n";
    return {std::move(splits.train), std::move(splits.val), std::move(splits.test)};
  }
  auto train = ag::data::read_parallel(o.src, o.tgt);
  log << "training corpus " << o.src << " / " << o.tgt << ": " << train.stats.summary() << "\n";
  auto valid = ag::data::read_parallel(o.valid_src, o.valid_tgt);
  log << "validation corpus " << o.valid_src << " / " << o.valid_tgt << ": " << valid.stats.summary() << "\n";
  AG_CHECK(!train.pairs.empty(), "train: {} and {} hold no sentence pair with text on both sides", o.src, o.tgt);
  AG_CHECK(!valid.pairs.empty(), "train: {} and {} hold no sentence pair with text on both sides", o.valid_src,
           o.valid_tgt);
  return {std::move(train.pairs), std::move(valid.pairs), {}};
}

// A SentencePiece model for one side: the user's (copied into the run so it travels with the
// checkpoint) or one trained on that side of the training text.
std::string make_spm_model(const DataOptions& o, const std::vector<std::string>& lines, const std::string& given,
                           const std::string& side, const std::string& run_dir, std::ostream& log) {
  const std::string name = side + ".spm.model";
  const fs::path target = fs::path(run_dir) / name;
  if (!given.empty()) {
    fs::copy_file(given, target, fs::copy_options::overwrite_existing);
    log << side << ": using SentencePiece model " << given << "\n";
    return name;
  }
  // SentencePiece reads files; the (possibly lowercased) text goes through one in the run directory.
  const fs::path text = fs::path(run_dir) / (side + ".spm-train.txt");
  ag::data::write_lines(text.string(), lines);
  log << side << ": training a " << o.spm_type << " SentencePiece model of " << o.vocab_size << " pieces on "
      << lines.size() << " sentences\n";
  ag::data::SentencePieceTokenizer::train({text.string()}, (fs::path(run_dir) / (side + ".spm")).string(),
                                          {.model_type = o.spm_type,
                                           .vocab_size = static_cast<int>(o.vocab_size),
                                           .hard_vocab_limit = false});
  fs::remove(text);
  fs::remove(fs::path(run_dir) / (side + ".spm.vocab"));  // the model file holds the pieces too
  return name;
}

Language make_language(const DataOptions& o, const std::vector<std::string>& raw_lines, const std::string& given_spm,
                       const std::string& side, const std::string& run_dir, std::ostream& log) {
  Language language;
  language.tokenizer_kind = o.tokenizer;
  language.lowercase = o.lowercase;
  std::vector<std::string> lines;
  for (const auto& line : raw_lines) lines.push_back(language.normalize(line));
  if (o.tokenizer == "spm") {
    language.spm_model = make_spm_model(o, lines, given_spm, side, run_dir, log);
    auto spm = std::make_shared<ag::data::SentencePieceTokenizer>((fs::path(run_dir) / language.spm_model).string());
    language.vocab = spm->vocab();
    language.tokenizer = std::move(spm);
  } else {
    language.tokenizer = ag::data::make_tokenizer(o.tokenizer);
    language.vocab = ag::data::Vocab::build(ag::data::count_pieces(lines, *language.tokenizer), o.min_freq);
  }
  log << side << ": " << o.tokenizer << " tokens, vocabulary of " << language.vocab.size() << "\n";
  return language;
}

// Encodes the pairs; pairs with a side longer than `max_tokens` are dropped and counted, so nothing
// vanishes unreported. `pairs` keeps the pairs that were kept, in step with the dataset.
ag::data::Dataset encode(std::vector<TextPair>& pairs, const Language& src, const Language& tgt, int64_t max_tokens,
                         const std::string& what, std::ostream& log) {
  ag::data::Dataset dataset;
  std::vector<TextPair> kept;
  for (auto& pair : pairs) {
    ag::data::Example example{src.encode(pair.src), tgt.encode(pair.tgt)};
    // The decoder reads <bos> + target, one position more than the target.
    if (static_cast<int64_t>(example.src.size()) > max_tokens || static_cast<int64_t>(example.tgt.size()) + 1 > max_tokens) {
      continue;
    }
    dataset.add(std::move(example));
    kept.push_back(std::move(pair));
  }
  if (kept.size() < pairs.size())
    log << what << ": dropped " << pairs.size() - kept.size() << " of " << pairs.size() << " pairs longer than "
        << max_tokens << " tokens\n";
  pairs = std::move(kept);
  return dataset;
}

}  // namespace

TrainingData prepare_training_data(const DataOptions& o, const ModelConfig& model, uint64_t seed,
                                   const std::string& run_dir, std::optional<std::pair<Language, Language>> languages,
                                   std::ostream& log) {
  Texts texts = read_texts(o, seed, log);
  TrainingData data;
  if (languages) {
    data.src = std::move(languages->first);
    data.tgt = std::move(languages->second);
  } else {
    std::vector<std::string> src_lines, tgt_lines;
    for (const auto& pair : texts.train) {
      src_lines.push_back(pair.src);
      tgt_lines.push_back(pair.tgt);
    }
    data.src = make_language(o, src_lines, o.src_spm, "src", run_dir, log);
    data.tgt = make_language(o, tgt_lines, o.tgt_spm, "tgt", run_dir, log);
  }
  // The limit names the flag that set it: the smaller of --max-tokens and --max-positions.
  const bool positions_limit = model.max_positions < o.max_tokens;
  const int64_t limit = positions_limit ? model.max_positions : o.max_tokens;
  data.train = encode(texts.train, data.src, data.tgt, limit, "training", log);
  AG_CHECK(data.train.size() > 0, "train: every training pair is longer than {} {} tokens; raise it",
           positions_limit ? "--max-positions" : "--max-tokens", limit);
  // Validation keeps every pair the model can read at all, so scores stay comparable across runs.
  const size_t valid_count = texts.valid.size();
  data.valid = encode(texts.valid, data.src, data.tgt, model.max_positions, "validation", log);
  AG_CHECK(data.valid.size() > 0, "train: the validation set is empty ({} pairs, every one longer than "
           "--max-positions {} tokens or none at all); training could never be scored. Give a validation set "
           "with shorter sentences, or raise --max-positions", valid_count, model.max_positions);
  data.valid_pairs = std::move(texts.valid);
  data.test_pairs = std::move(texts.test);
  return data;
}

}  // namespace seq2seq
