// ag::data: corpora, tokenizers, vocabularies, batching, built-in tasks and metrics.
#pragma once
#include "data/batch.h"
#include "data/bleu.h"
#include "data/chrf.h"
#include "data/corpus.h"
#include "data/data_loader.h"
#include "data/dataset.h"
#include "data/metrics.h"
#include "data/sentencepiece_tokenizer.h"
#include "data/tasks.h"
#include "data/text_file.h"
#include "data/tokenizer.h"
#include "data/vocab.h"
