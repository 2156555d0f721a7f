"""Load a model written by `gpt train` into PyTorch and continue a prompt with it.

    /usr/bin/python3 examples/gpt/to_torch.py runs/shakespeare/model.safetensors "ROMEO:" --tokens 200

The PyTorch model below is nanoGPT's architecture, parameter for parameter: token and learned
position embeddings, pre-LN blocks of causal self-attention (c_attn packs W_Q, W_K, W_V as rows)
and a GELU MLP 4x wide, a final LayerNorm, and lm_head tied to the token embedding. ag saves the
tied matrix once, as transformer.wte.weight; lm_head.weight is that same tensor here.

The file is read with a few lines of Python (examples/seq2seq/load_in_pytorch.py's reader), so
neither the safetensors package nor ag is needed. tests/reference/make_gpt_fixtures.py uses this
model to make the golden logits that the C++ tests compare ag's model with.
"""
import argparse
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

# The safetensors reader of the seq2seq example's loader, which this one shares.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "seq2seq"))
from load_in_pytorch import read_safetensors  # noqa: E402

class LayerNorm(torch.nn.Module):
    """LayerNorm with an optional bias."""

    def __init__(self, dim, bias):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(dim))
        self.bias = torch.nn.Parameter(torch.zeros(dim)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class CausalSelfAttention(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.n_head = c["n_head"]
        self.c_attn = torch.nn.Linear(c["n_embd"], 3 * c["n_embd"], bias=c["bias"])
        self.c_proj = torch.nn.Linear(c["n_embd"], c["n_embd"], bias=c["bias"])
        self.dropout = c["dropout"]
        self.resid_dropout = torch.nn.Dropout(c["dropout"])

    def forward(self, x):  # (B,T,C) -> (B,T,C)
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(C // self.n_head)
        causal = torch.ones(T, T, dtype=torch.bool).tril()
        weights = F.dropout(scores.masked_fill(~causal, float("-inf")).softmax(-1), self.dropout, self.training)
        return self.resid_dropout(self.c_proj((weights @ v).transpose(1, 2).reshape(B, T, C)))


class Mlp(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_fc = torch.nn.Linear(c["n_embd"], 4 * c["n_embd"], bias=c["bias"])
        self.c_proj = torch.nn.Linear(4 * c["n_embd"], c["n_embd"], bias=c["bias"])
        self.dropout = torch.nn.Dropout(c["dropout"])

    def forward(self, x):
        return self.dropout(self.c_proj(F.gelu(self.c_fc(x))))


class Block(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln_1, self.attn = LayerNorm(c["n_embd"], c["bias"]), CausalSelfAttention(c)
        self.ln_2, self.mlp = LayerNorm(c["n_embd"], c["bias"]), Mlp(c)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(torch.nn.Module):
    """config: the dict ag saves (vocab_size, block_size, n_layer, n_head, n_embd, dropout, bias)."""

    def __init__(self, c):
        super().__init__()
        self.config = c
        self.transformer = torch.nn.ModuleDict(dict(
            wte=torch.nn.Embedding(c["vocab_size"], c["n_embd"]),
            wpe=torch.nn.Embedding(c["block_size"], c["n_embd"]),
            drop=torch.nn.Dropout(c["dropout"]),
            h=torch.nn.ModuleList(Block(c) for _ in range(c["n_layer"])),
            ln_f=LayerNorm(c["n_embd"], c["bias"])))
        self.lm_head = torch.nn.Linear(c["n_embd"], c["vocab_size"], bias=False)
        self.lm_head.weight = self.transformer.wte.weight  # tied

    def forward(self, idx):  # (B,T) -> logits (B,T,V)
        pos = torch.arange(idx.size(1))
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        return self.lm_head(self.transformer.ln_f(x))

    def ag_state_dict(self):
        """The state dict under ag's names: lm_head.weight is wte's, stored once."""
        return {k: v for k, v in self.state_dict().items() if k != "lm_head.weight"}


def load(path):
    """-> (GPT in eval mode, list of pieces by id: the four specials, then the characters or
    SentencePiece's pieces, and the tokenizer: "char", "bpe" or "unigram")."""
    tensors, metadata = read_safetensors(path)
    if metadata.get("format") != "ag-gpt":
        sys.exit(f"{path} is not a model written by gpt")
    model = GPT(json.loads(metadata["config"]))
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    assert missing == ["lm_head.weight"] and not unexpected, (missing, unexpected)
    pieces = ["<pad>", "<unk>", "<bos>", "<eos>"] + json.loads(metadata["vocab"])
    kind = json.loads(metadata.get("tokenizer", '{"kind": "char"}'))["kind"]  # older files: characters
    return model.eval(), pieces, kind


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model")
    p.add_argument("prompt", nargs="?", default="\n")
    p.add_argument("--tokens", type=int, default=200)
    p.add_argument("--temperature", type=float, default=0.8)
    p.add_argument("--seed", type=int, default=1337)
    a = p.parse_args()
    model, pieces, kind = load(a.model)
    if kind != "char":
        # Encoding a prompt into SentencePiece pieces needs the sentencepiece package; load() above
        # reads such a model all the same.
        sys.exit(f"{a.model} uses {kind} SentencePiece tokens; this script samples character models only")
    ids = {piece: i for i, piece in enumerate(pieces)}
    idx = torch.tensor([[ids.get(ch, 1) for ch in a.prompt]])
    torch.manual_seed(a.seed)
    with torch.no_grad():
        for _ in range(a.tokens):
            logits = model(idx[:, -model.config["block_size"]:])[:, -1]
            nxt = torch.multinomial((logits / a.temperature).softmax(-1), 1) if a.temperature > 0 else logits.argmax(-1, keepdim=True)
            idx = torch.cat([idx, nxt], 1)
    print("".join(pieces[i] if i > 3 else "" for i in idx[0].tolist()))


if __name__ == "__main__":
    main()
