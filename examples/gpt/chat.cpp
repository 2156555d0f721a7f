// The chat loop and the detection of the end of the bot's turn.
#include "chat.h"

#include "ag/core/error.h"
#include "bounds.h"
#include "session.h"

namespace gpt {

namespace {

// Whether `line` could begin (or is, with `complete`) a speaker line: an upper-case letter, then
// letters, spaces and apostrophes, then a colon ending the line ("First Citizen:", "ROMEO:").
bool speaker_line(const std::string& line, bool complete) {
  if (line.empty()) return !complete;
  if (!std::isupper(static_cast<unsigned char>(line[0]))) return false;
  for (size_t i = 1; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c == ':') return i + 1 == line.size();
    if (!std::isalpha(c) && c != ' ' && c != '\'') return false;
  }
  return !complete;
}

}  // namespace

std::string TurnEnd::feed(const std::string& piece) {
  std::string shown;
  for (const char c : piece) {
    if (ended_) break;
    if (c == '\n') {
      if (holding_ && (line_.empty() || speaker_line(line_, true))) {
        ended_ = true;  // a blank line, or the next speaker
        line_.clear();
        break;
      }
      shown += line_ + '\n';
      line_.clear();
      holding_ = true;
    } else if (holding_) {
      line_ += c;
      if (!speaker_line(line_, false)) {
        holding_ = false;
        shown += line_;
        line_.clear();
      }
    } else {
      shown += c;
    }
  }
  return shown;
}

std::string TurnEnd::flush() {
  std::string rest;
  if (!ended_) rest.swap(line_);
  return rest;
}

void chat(LoadedModel& loaded, const ChatOptions& options, std::istream& in, std::ostream& out, bool interactive) {
  options.sampling.validate();
  AG_CHECK(!options.user_name.empty() && !options.bot_name.empty(), "--user-name and --bot-name must not be empty");
  check_flag("--tokens", options.max_tokens, 1, kMaxSampleTokens);
  Session session(loaded.model, 1);
  ag::data::Rng rng(options.seed);
  std::string line;
  while (true) {
    if (interactive) out << options.user_name << ": " << std::flush;
    if (!std::getline(in, line)) break;
    session.append(loaded.codec.encode(options.user_name + ":\n" + line + "\n\n" + options.bot_name + ":\n"));
    const int64_t turn_start = session.length();
    out << options.bot_name << ": " << std::flush;
    TurnEnd turn;
    TextStream text(loaded.codec, session.row(0));
    std::string said;
    for (int64_t i = 0; i < options.max_tokens && !turn.ended(); ++i) {
      session.step(options.sampling, rng);
      const std::string shown = turn.feed(text.next(session.row(0)));
      said += shown;
      out << shown << std::flush;
    }
    const std::string rest = turn.flush();
    said += rest;
    out << rest << (said.ends_with('\n') ? "" : "\n") << (interactive ? "\n" : "") << std::flush;
    // The context keeps what was shown, closed by a blank line, and none of the taken-back text.
    session.truncate(turn_start);
    session.append(loaded.codec.encode(said + (said.ends_with('\n') ? "\n" : "\n\n")));
  }
  if (interactive) out << "\n";
}

}  // namespace gpt
