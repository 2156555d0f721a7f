// Translating sentences and scoring a test set with a trained model.
#include "commands.h"

#include <poll.h>
#include <thread>
#include <unistd.h>

#include "attention_map.h"
#include "checkpoint.h"
#include "ag/core/parallel.h"
#include "ag/data/bleu.h"
#include "ag/data/chrf.h"
#include "ag/data/corpus.h"
#include "ag/data/text_file.h"
#include "translator.h"

namespace seq2seq {

namespace {

void add_use_options(CLI::App& app, UseOptions& o) {
  app.add_option("-m,--model", o.model, "run directory (uses its best.safetensors) or a .safetensors file")
      ->capture_default_str();
  app.add_option("--beam", o.search.beam_size, "beam size (1: greedy)")->capture_default_str()->check(CLI::Range(1, 100));
  app.add_option("--length-penalty", o.search.length_penalty, "beam search: rank by score / length^this")
      ->capture_default_str();
  app.add_option("--max-len", o.search.max_len, "most output tokens per sentence")->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--batch-tokens", o.batch_tokens, "tokens per batch")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--threads", o.threads, "threads (0: AG_NUM_THREADS or all cores)")->capture_default_str();
  app.add_flag("--no-cache", [&o](int64_t) { o.search.incremental = false; },
               "recompute every prefix instead of caching keys and values (slower; for comparison)");
}

LoadedModel load(const UseOptions& o) {
  ag::use_threads_flag(o.threads);
  return load_model(o.model);
}

// Whether a whole line is already waiting on standard input (in the stream's buffer or the pipe).
bool line_waiting(std::istream& in) {
  if (in.rdbuf()->in_avail() > 0) return true;
  pollfd fd{STDIN_FILENO, POLLIN, 0};
  return poll(&fd, 1, 0) > 0;
}

void print_attention(const AttentionMap& map, std::ostream& log) {
  // A text heat map: one row per output token, one cell per source token, darker = more attention.
  static const char* shades[] = {" ", "░", "▒", "▓", "█"};
  std::string columns;
  for (const auto& token : map.source_tokens) columns += "[" + token + "]";
  log << "columns (source tokens): " << columns << "\n";
  for (size_t t = 0; t < map.target_tokens.size(); ++t) {
    log << fmt::format("{:>12} |", map.target_tokens[t]);
    for (size_t s = 0; s < map.source_tokens.size(); ++s) {
      const float w = map.weights[t * map.source_tokens.size() + s];
      log << shades[std::min(4, static_cast<int>(w * 5))];
    }
    log << "|\n";
  }
}

}  // namespace

void add_translate_options(CLI::App& app, TranslateOptions& o) {
  add_use_options(app, o);
  app.add_option("sentences", o.sentences, "sentences to translate (none: read --input or standard input)");
  app.add_option("-i,--input", o.input, "file to translate, one sentence a line (plain or .gz)")->check(CLI::ExistingFile);
  app.add_option("--attention", o.attention, "write the first sentence's cross-attention heat map to this .svg file "
                 "(and print it as text)");
  app.add_option("--batch-size", o.batch_size, "standard input: most sentences per batch")->capture_default_str()
      ->check(CLI::PositiveNumber);
}

void add_eval_options(CLI::App& app, EvalOptions& o) {
  add_use_options(app, o);
  app.add_option("--src", o.src, "test source file (plain or .gz)")->required()->check(CLI::ExistingFile);
  app.add_option("--ref", o.ref, "test reference file, aligned with --src")->required()->check(CLI::ExistingFile);
  app.add_option("-o,--output", o.output, "also write the translations to this file");
  app.add_flag("--lowercase", o.lowercase, "score case-insensitively (sacreBLEU's -lc)");
}

void run_translate(const TranslateOptions& o, std::istream& in, std::ostream& out, std::ostream& log) {
  LoadedModel loaded = load(o);
  Translator translator(*loaded.model, loaded.src, loaded.tgt, o.search, o.batch_tokens);
  bool attention_done = o.attention.empty();
  auto translate = [&](const std::vector<std::string>& sentences) {
    for (const auto& line : translator.translate(sentences)) out << line << "\n";
    out.flush();
    if (attention_done || sentences.empty()) return;
    const TokenIds source = loaded.src.encode(sentences.front());
    const AttentionMap map = cross_attention_map(*loaded.model, loaded.src, loaded.tgt, source,
                                                 translator.translate_ids({source}).front());
    write_attention_svg(o.attention, map, "cross-attention, last decoder layer, mean over heads: " + sentences.front());
    print_attention(map, log);
    log << "wrote " << o.attention << "\n";
    attention_done = true;
  };
  if (!o.sentences.empty()) return translate(o.sentences);
  if (!o.input.empty()) return translate(ag::data::read_lines(o.input));
  std::vector<std::string> batch;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    batch.push_back(line);
    if (static_cast<int64_t>(batch.size()) >= o.batch_size || !line_waiting(in)) {
      translate(batch);
      batch.clear();
    }
  }
  translate(batch);
}

void run_eval(const EvalOptions& o, std::ostream& out, std::ostream& log) {
  const ag::data::ParallelCorpus test = ag::data::read_parallel(o.src, o.ref, {.drop_empty = false});
  LoadedModel loaded = load(o);
  std::vector<std::string> sources, references;
  for (const auto& pair : test.pairs) {
    sources.push_back(pair.src);
    references.push_back(pair.tgt);
  }
  log << "translating " << sources.size() << " sentences of " << o.src << " with " << loaded.path
      << (o.search.beam_size > 1 ? fmt::format(" (beam {})", o.search.beam_size) : std::string(" (greedy)")) << "\n";
  const auto start = std::chrono::steady_clock::now();
  Translator translator(*loaded.model, loaded.src, loaded.tgt, o.search, o.batch_tokens);
  const std::vector<std::string> hypotheses = translator.translate(sources);
  log << "translated in "
      << fmt::format("{:.1f}s", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()) << "\n";
  if (!o.output.empty()) ag::data::write_lines(o.output, hypotheses);
  ag::data::BleuOptions bleu_options;
  bleu_options.lowercase = o.lowercase;
  out << ag::data::corpus_bleu(hypotheses, {references}, bleu_options).format() << "\n";
  ag::data::ChrfOptions chrf_options;
  chrf_options.lowercase = o.lowercase;
  out << ag::data::corpus_chrf(hypotheses, {references}, chrf_options).format() << "\n";
}

}  // namespace seq2seq
