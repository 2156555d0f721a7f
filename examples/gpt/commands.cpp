// Flags and the bodies of `gpt sample`, `gpt chat` and `gpt eval` (`gpt train` is train.cpp).
#include "commands.h"

#include <iterator>

#include "ag/core/error.h"
#include "ag/core/parallel.h"
#include "bounds.h"
#include "corpus.h"
#include "evaluate.h"
#include "session.h"

namespace gpt {

namespace {

void add_threads(CLI::App& app, int& threads) {
  app.add_option("--threads", threads, "threads (0: AG_NUM_THREADS or every core)")->capture_default_str();
}

void add_model(CLI::App& app, std::string& model) {
  app.add_option("-m,--model", model, "a weights file or a run directory from `gpt train`")->capture_default_str();
}

void add_sampling(CLI::App& app, SamplingOptions& s) {
  app.add_option("--temperature", s.temperature, "0: greedy; higher: more varied")->capture_default_str();
  app.add_option("--top-k", s.top_k, "draw only from the k likeliest (0: all)")->capture_default_str();
  app.add_option("--top-p", s.top_p, "draw only from the likeliest with this much probability")->capture_default_str();
}

}  // namespace

void add_sample_options(CLI::App& app, SampleOptions& o) {
  add_model(app, o.model);
  app.add_option("prompt", o.prompt, "text to continue (default: standard input, or a newline from a terminal)")
      ->each([&o](const std::string&) { o.prompt_given = true; });
  app.add_option("--tokens", o.tokens, "tokens to generate")->capture_default_str();
  app.add_option("--num-samples", o.num_samples, "samples, generated as one batch")->capture_default_str();
  add_sampling(app, o.sampling);
  app.add_option("--keep", o.keep, "tokens kept when the context window slides (0: half of it)")->capture_default_str();
  app.add_flag("--no-cache", o.no_cache, "recompute the whole window for every token (slow; for comparison)");
  app.add_option("--seed", o.seed, "random seed")->capture_default_str();
  add_threads(app, o.threads);
}

void add_chat_options(CLI::App& app, ChatCommandOptions& o) {
  add_model(app, o.model);
  app.add_option("--user-name", o.chat.user_name, "your speaker name")->capture_default_str();
  app.add_option("--bot-name", o.chat.bot_name, "the model's speaker name")->capture_default_str();
  app.add_option("--tokens", o.chat.max_tokens, "most tokens per answer")->capture_default_str();
  add_sampling(app, o.chat.sampling);
  app.add_option("--seed", o.chat.seed, "random seed")->capture_default_str();
  add_threads(app, o.threads);
}

void add_eval_options(CLI::App& app, EvalOptions& o) {
  add_model(app, o.model);
  app.add_option("texts", o.texts, "the text files to score (plain or .gz), each alone and then all together")
      ->required();
  app.add_option("--batch-size", o.batch_size, "windows per forward pass")->capture_default_str();
  add_threads(app, o.threads);
}

void run_sample(const SampleOptions& o, std::istream& in, bool in_is_terminal, std::ostream& out) {
  o.sampling.validate();
  check_flag("--tokens", o.tokens, 0, kMaxSampleTokens);
  check_flag("--num-samples", o.num_samples, 1, kMaxRows);
  ag::use_threads_flag(o.threads);
  LoadedModel loaded = load_model(o.model);
  std::string prompt = o.prompt;
  if (!o.prompt_given && !in_is_terminal) prompt.assign(std::istreambuf_iterator<char>(in), {});
  if (prompt.empty()) prompt = "\n";  // nanoGPT's default start
  Session session(loaded.model, o.num_samples, !o.no_cache, o.keep);
  session.append(loaded.codec.encode(prompt));
  ag::data::Rng rng(o.seed);
  const bool stream = o.num_samples == 1;
  TextStream shown(loaded.codec, session.row(0));
  if (stream) out << prompt << std::flush;
  for (int64_t i = 0; i < o.tokens; ++i) {
    session.step(o.sampling, rng);
    if (stream) out << shown.next(session.row(0)) << std::flush;
  }
  if (stream) out << "\n";
  for (size_t b = 0; !stream && b < static_cast<size_t>(o.num_samples); ++b)
    out << "--- sample " << b + 1 << " ---\n" << loaded.codec.decode(session.row(b)) << "\n";
}

void run_chat(const ChatCommandOptions& o, std::istream& in, bool interactive, std::ostream& out) {
  ag::use_threads_flag(o.threads);
  LoadedModel loaded = load_model(o.model);
  chat(loaded, o.chat, in, out, interactive);
}

void run_eval(const EvalOptions& o, std::ostream& out) {
  check_flag("--batch-size", o.batch_size, 1, kMaxRows);
  ag::use_threads_flag(o.threads);
  LoadedModel loaded = load_model(o.model);
  check_fits(loaded.model->config, o.batch_size, "--batch-size", /*training=*/false);
  // Loss and perplexity are per token; bits/char per character of the text (see score_text). The
  // tokens read are those predicted and each text's first.
  const auto report = [&](const std::string& name, const TextScore& s, size_t texts) {
    out << fmt::format("{}: {} {} tokens, {} characters predicted  loss {:.4f} nats/token  perplexity {:.3f} per "
                       "token  bits/char {:.4f} per character of the text\n",
                       name, s.tokens + static_cast<int64_t>(texts), loaded.codec.kind(), s.characters, s.loss,
                       s.perplexity, s.bits_per_char);
  };
  std::vector<TextScore> scores;
  for (const std::string& path : o.texts) {
    const std::string text = read_text(path);
    try {
      scores.push_back(score_text(*loaded.model, loaded.codec, text, o.batch_size));
    } catch (const ag::Error& e) {
      throw ag::Error(fmt::format("{}: {}", path, e.what()));
    }
    report(path, scores.back(), 1);
  }
  if (scores.size() > 1) report(fmt::format("all {} files", scores.size()), combine(scores), scores.size());
}

}  // namespace gpt
