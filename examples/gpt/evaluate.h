// Measuring a model: the loss on random windows (what training watches) and on a whole text
// (`gpt eval`: loss, perplexity and bits per character).
#pragma once
#include <cstdint>
#include <span>
#include <string>

#include "corpus.h"
#include "model.h"

namespace gpt {

// The language-model loss: mean cross-entropy of logits (B,T,V) against the next tokens y (B,T).
ag::Tensor lm_loss(GPTImpl& model, const ag::Tensor& x, const ag::Tensor& y);

// nanoGPT's estimate_loss: the mean loss over `batches` random (batch_size, block_size) windows of
// `tokens` drawn with `seed`, in eval mode without gradients (the model's mode is restored).
double estimate_loss(GPTImpl& model, std::span<const int64_t> tokens, int64_t batches, int64_t batch_size,
                     uint64_t seed);

struct TextScore {
  int64_t tokens = 0;         // predicted tokens (every token but the first)
  int64_t characters = 0;     // the characters those tokens spell
  double loss = 0;            // nats per token
  double perplexity = 0;      // exp(loss), per token
  double bits_per_char = 0;   // total bits / characters predicted
};

// Every token of `text` after the first, predicted from the up to block_size tokens before it: the
// text is cut into windows of block_size + 1 tokens that overlap by one, so each token is scored
// once, with between 1 and block_size tokens of context. batch_size windows run at a time.
//
// Loss and perplexity are per token, so they compare models with the same tokens only. Bits per
// character divide the bits of all predictions by the characters they spell (the text's, less those
// of the first token, which is not predicted): a number that compares a character model with a
// SentencePiece one, whose tokens hold several characters each. Characters are counted in the
// text as the codec gives it back (decode(encode(text)): SentencePiece's normalized text, where a
// run of spaces is one, and an <unk> one character), so that every character counted is one the
// model predicted; for characters, that is every token but the first.
TextScore score_text(GPTImpl& model, const Codec& codec, const std::string& text, int64_t batch_size = 16);

// The score of several texts scored each on its own, as one: every prediction counts once (the
// loss is the mean over all their tokens, bits per character over all their characters).
TextScore combine(std::span<const TextScore> scores);

}  // namespace gpt
