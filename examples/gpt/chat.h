// `gpt chat`: dialogue in the corpus's speaker format. For Tiny Shakespeare a turn is
//
//   ROMEO:
//   What light through yonder window breaks?
//   <blank line>
//
// Each line the user types becomes a turn under --user-name, the bot's name follows, and the model
// writes the bot's turn until it ends: at a blank line, or at a line that names the next speaker
// (an upper-case NAME: line), which is taken back and never shown.
#pragma once
#include <cstdint>
#include <istream>
#include <ostream>
#include <string>

#include "sampling.h"
#include "weights.h"

namespace gpt {

// Watches the text of a turn as it streams and holds back what might be the next speaker's name.
class TurnEnd {
 public:
  // Feeds the next piece of text; returns the part that is certainly the bot's and may be shown.
  std::string feed(const std::string& piece);
  bool ended() const { return ended_; }
  // What the turn said, without the held-back or dropped line; at the end, what is held is let go.
  std::string flush();

 private:
  std::string line_;  // the current line, held while it could still be "NAME:"
  bool holding_ = true;
  bool ended_ = false;
};

struct ChatOptions {
  std::string user_name = "ROMEO";
  std::string bot_name = "JULIET";
  int64_t max_tokens = 300;  // per turn
  SamplingOptions sampling{0.8, 0, 0.95};
  uint64_t seed = 1337;
};

// Reads the user's lines from `in` until EOF, answering each on `out`. `interactive` shows a
// prompt before each line (a terminal); from a pipe only the answers are written.
void chat(LoadedModel& loaded, const ChatOptions& options, std::istream& in, std::ostream& out, bool interactive);

}  // namespace gpt
