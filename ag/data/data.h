// ag::data: corpora, tokenizers, vocabularies, batching, built-in tasks and metrics.
#pragma once
#include "ag/data/batch.h"
#include "ag/data/bleu.h"
#include "ag/data/chrf.h"
#include "ag/data/corpus.h"
#include "ag/data/data_loader.h"
#include "ag/data/dataset.h"
#include "ag/data/metrics.h"
#include "ag/data/sentencepiece_tokenizer.h"
#include "ag/data/tasks.h"
#include "ag/data/text_file.h"
#include "ag/data/tokenizer.h"
#include "ag/data/vocab.h"
