"""Golden values for attention, Transformer layers and positional encodings from PyTorch 1.13.
Run with Debian's python3-torch:

    /usr/bin/python3 tests/reference/make_attention_fixtures.py

Each module fixture holds, in float32:
    <state dict key>       every parameter under PyTorch's name ("in_proj_weight", "layers.0.norm1.bias")
    input.<name>           the inputs (masks as bool or float, as PyTorch takes them)
    proj                   a fixed random tensor; the loss is (output.out * proj).sum()
    output.<name>          the outputs ("out", and attention weights where returned)
    grad.<param name>      after backward, the gradient of every parameter
    grad.input.<name>      and of every float input
meta holds the constructor arguments. Modules run in eval mode with dropout 0. Parameters and inputs
are drawn at random and rounded to multiples of 1/64, which is exact in float32 and keeps the files
small; the gradients are written in full.
"""
import math

import torch
import torch.nn as nn

from fixture_io import write_fixture


def grid(t):
    return torch.round(t * 64) / 64


def randn(*shape, requires_grad=True):
    return grid(torch.randn(*shape)).requires_grad_(requires_grad)


def module_fixture(name, module, inputs, run, meta):
    """run(module, inputs) -> dict of outputs, "out" first; backpropagates (out * proj).sum()."""
    module.eval()
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(grid(torch.randn_like(p) * 0.5))
    outputs = run(module, inputs)
    proj = grid(torch.randn(outputs["out"].shape))
    (outputs["out"] * proj).sum().backward()
    t = dict(module.state_dict())
    t.update({f"input.{k}": v for k, v in inputs.items()})
    t["proj"] = proj
    t.update({f"output.{k}": v for k, v in outputs.items()})
    t.update({f"grad.{k}": p.grad for k, p in module.named_parameters()})
    t.update({f"grad.input.{k}": v.grad for k, v in inputs.items() if v.requires_grad})
    write_fixture(name, t, meta)


def padding_mask(lengths, max_len):
    """(B, max_len) bool, True at padded positions (PyTorch's key_padding_mask convention)."""
    return torch.arange(max_len)[None, :] >= torch.tensor(lengths)[:, None]


def subsequent_mask(n):
    """The float causal mask (-inf above the diagonal). JSON cannot hold -inf, so the fixtures leave
    it out and the C++ test makes it with generate_square_subsequent_mask."""
    return nn.Transformer.generate_square_subsequent_mask(n)


def causal_bool(n):
    """(n, n) bool, True above the diagonal: the future, which MultiheadAttention must not see."""
    return torch.ones(n, n, dtype=torch.bool).triu(1)


torch.manual_seed(0)

# ---- MultiheadAttention ---------------------------------------------------------------------------
# Self-attention, (L,B,E), padded keys plus a causal bool mask; weights averaged and per head.
L, B, E, H = 5, 3, 8, 2
inputs = {"x": randn(L, B, E), "key_padding_mask": padding_mask([5, 3, 4], L), "attn_mask": causal_bool(L)}


def mha_self(m, i):
    args = dict(key_padding_mask=i["key_padding_mask"], attn_mask=i["attn_mask"])
    out, weights = m(i["x"], i["x"], i["x"], **args)
    _, per_head = m(i["x"], i["x"], i["x"], average_attn_weights=False, **args)
    return {"out": out, "weights": weights, "weights_per_head": per_head}


module_fixture("attn_mha_self.json", nn.MultiheadAttention(E, H), inputs, mha_self,
               {"embed_dim": E, "num_heads": H, "batch_first": False})

# Cross-attention, batch_first, keys and values of other widths (separate q/k/v projection
# weights), padded keys and a float attn_mask.
L, S, B, E, H, KDIM, VDIM = 4, 6, 2, 8, 4, 6, 5
inputs = {"query": randn(B, L, E), "key": randn(B, S, KDIM), "value": randn(B, S, VDIM),
          "key_padding_mask": padding_mask([6, 4], S), "attn_mask": randn(L, S, requires_grad=False)}


def mha_cross(m, i):
    args = dict(key_padding_mask=i["key_padding_mask"], attn_mask=i["attn_mask"])
    out, weights = m(i["query"], i["key"], i["value"], **args)
    _, per_head = m(i["query"], i["key"], i["value"], average_attn_weights=False, **args)
    return {"out": out, "weights": weights, "weights_per_head": per_head}


module_fixture("attn_mha_cross.json", nn.MultiheadAttention(E, H, batch_first=True, kdim=KDIM, vdim=VDIM),
               inputs, mha_cross, {"embed_dim": E, "num_heads": H, "batch_first": True, "kdim": KDIM, "vdim": VDIM})

# ---- Transformer layers ---------------------------------------------------------------------------
D_MODEL, NHEAD, FF = 16, 4, 32
T, S, B = 5, 6, 2


def layer_meta(norm_first, activation, batch_first):
    return {"d_model": D_MODEL, "nhead": NHEAD, "dim_feedforward": FF, "activation": activation,
            "norm_first": norm_first, "batch_first": batch_first, "layer_norm_eps": 1e-5}


def seq(n, batch_first):
    return randn(B, n, D_MODEL) if batch_first else randn(n, B, D_MODEL)


# Post-LN with relu and (T,B,E); pre-LN with gelu and batch_first.
for norm_first, activation, batch_first in [(False, "relu", False), (True, "gelu", True)]:
    meta = layer_meta(norm_first, activation, batch_first)
    kwargs = dict(dim_feedforward=FF, dropout=0.0, activation=activation, batch_first=batch_first,
                  norm_first=norm_first)
    tag = "pre" if norm_first else "post"

    enc_inputs = {"src": seq(S, batch_first), "src_mask": causal_bool(S),
                  "src_key_padding_mask": padding_mask([6, 4], S)}
    module_fixture(f"transformer_encoder_layer_{tag}.json", nn.TransformerEncoderLayer(D_MODEL, NHEAD, **kwargs),
                   enc_inputs, lambda m, i: {"out": m(i["src"], i["src_mask"], i["src_key_padding_mask"])}, meta)

    dec_inputs = {"tgt": seq(T, batch_first), "memory": seq(S, batch_first),
                  "tgt_key_padding_mask": padding_mask([5, 3], T),
                  "memory_key_padding_mask": padding_mask([6, 4], S)}
    module_fixture(f"transformer_decoder_layer_{tag}.json", nn.TransformerDecoderLayer(D_MODEL, NHEAD, **kwargs),
                   dec_inputs,
                   lambda m, i: {"out": m(i["tgt"], i["memory"], tgt_mask=subsequent_mask(T),
                                          tgt_key_padding_mask=i["tgt_key_padding_mask"],
                                          memory_key_padding_mask=i["memory_key_padding_mask"])}, meta)

# A full 2+2-layer Transformer (encoder and decoder each with a final LayerNorm), post-LN, (T,B,E).
inputs = {"src": seq(S, False), "tgt": seq(T, False), "src_key_padding_mask": padding_mask([6, 4], S), "tgt_key_padding_mask": padding_mask([5, 3], T),
          "memory_key_padding_mask": padding_mask([6, 4], S)}
module_fixture("transformer_full.json",
               nn.Transformer(D_MODEL, NHEAD, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=FF,
                              dropout=0.0),
               inputs,
               lambda m, i: {"out": m(i["src"], i["tgt"], tgt_mask=subsequent_mask(T),
                                      src_key_padding_mask=i["src_key_padding_mask"],
                                      tgt_key_padding_mask=i["tgt_key_padding_mask"],
                                      memory_key_padding_mask=i["memory_key_padding_mask"])},
               dict(layer_meta(False, "relu", False), num_encoder_layers=2, num_decoder_layers=2))


# ---- positional encodings -------------------------------------------------------------------------
def t5_relative_position_bucket(relative_position, bidirectional, num_buckets, max_distance):
    """T5's bucketing as in HuggingFace transformers' T5Attention._relative_position_bucket."""
    relative_buckets = 0
    if bidirectional:
        num_buckets //= 2
        relative_buckets += (relative_position > 0).to(torch.long) * num_buckets
        relative_position = torch.abs(relative_position)
    else:
        relative_position = -torch.min(relative_position, torch.zeros_like(relative_position))
    max_exact = num_buckets // 2
    is_small = relative_position < max_exact
    relative_position_if_large = max_exact + (
        torch.log(relative_position.float() / max_exact) / math.log(max_distance / max_exact)
        * (num_buckets - max_exact)).to(torch.long)
    relative_position_if_large = torch.min(relative_position_if_large,
                                           torch.full_like(relative_position_if_large, num_buckets - 1))
    return relative_buckets + torch.where(is_small, relative_position, relative_position_if_large)


relative = torch.arange(-300, 301)
cases = [(True, 32, 128), (False, 32, 128), (True, 8, 20), (False, 16, 64)]
write_fixture("attn_relative_buckets.json",
              {"relative_position": relative,
               **{f"buckets.{i}": t5_relative_position_bucket(relative, *c) for i, c in enumerate(cases)}},
              {"cases": [{"bidirectional": b, "num_buckets": n, "max_distance": d} for b, n, d in cases]})

# The sinusoidal table as in the PyTorch tutorial's PositionalEncoding (float32 arithmetic).
max_len, d_model = 64, 10
position = torch.arange(max_len).unsqueeze(1)
div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
pe = torch.zeros(max_len, d_model)
pe[:, 0::2] = torch.sin(position * div_term)
pe[:, 1::2] = torch.cos(position * div_term)
write_fixture("attn_sinusoidal.json", {"pe": pe}, {"max_len": max_len, "d_model": d_model})
