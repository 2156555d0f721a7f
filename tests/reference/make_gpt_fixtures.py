"""Golden logits of a tiny random GPT, for tests/gpt/test_gpt_model.cpp.

    /usr/bin/python3 tests/reference/make_gpt_fixtures.py

The PyTorch model is examples/gpt/to_torch.py's (nanoGPT's architecture); the fixture holds its
weights under ag's names, a batch of token ids and the logits PyTorch computes for them, with and
without biases.
"""
import os
import sys

import torch

from fixture_io import write_fixture

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "gpt"))
from to_torch import GPT  # noqa: E402


def fixture(name, bias, seed):
    torch.manual_seed(seed)
    config = dict(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=16, dropout=0.0, bias=bias)
    model = GPT(config).eval()
    with torch.no_grad():  # random, not nanoGPT's init: every weight and bias away from 0 and 1
        for p in model.parameters():
            p.copy_(torch.randn_like(p) * 0.3 + (1.0 if p.dim() == 1 and p.shape[0] == 16 else 0.0))
    idx = torch.randint(0, config["vocab_size"], (2, 7))
    tensors = dict(model.ag_state_dict())
    tensors["idx"] = idx
    tensors["logits"] = model(idx)
    write_fixture(name, tensors, meta=config)


fixture("gpt_tiny_bias.json", bias=True, seed=0)
fixture("gpt_tiny_nobias.json", bias=False, seed=1)
