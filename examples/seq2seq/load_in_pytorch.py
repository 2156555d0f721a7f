#!/usr/bin/python3
"""Load a seq2seq weights file into PyTorch's torch.nn.Transformer and translate with it.

    /usr/bin/python3 examples/seq2seq/load_in_pytorch.py runs/dates/best.safetensors "21st of November 2026"

ag writes weights in the safetensors format under PyTorch's parameter names, so the model below is
plain torch.nn (the "Language Translation with nn.Transformer" tutorial's model) and load_state_dict
takes the file as it is, strictly. Greedy decoding here gives the same output as `seq2seq translate`.
The safetensors package is not in Debian, so read_safetensors below is the format in 20 lines.
"""
import json
import math
import struct
import sys

import torch
from torch import nn

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "BOOL": torch.bool}


def read_safetensors(path):
    """Returns ({name: tensor}, metadata). Layout: u64 header length, JSON header, raw data."""
    with open(path, "rb") as f:
        (header_len,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(header_len))
        data = f.read()
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype) if end > begin else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(info["shape"])
    return tensors, metadata


class SinusoidalPositions(nn.Module):
    def __init__(self, d_model, max_positions):
        super().__init__()
        self.register_buffer("pe", torch.zeros(max_positions, d_model))  # filled by load_state_dict

    def forward(self, x, offset=0):  # x (B,T,E)
        return x + self.pe[offset:offset + x.size(1)]


class Seq2Seq(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.d_model = c["d_model"]
        self.src_embed = nn.Embedding(c["src_vocab_size"], c["d_model"])
        self.tgt_embed = nn.Embedding(c["tgt_vocab_size"], c["d_model"])
        self.pos = SinusoidalPositions(c["d_model"], c["max_positions"])
        self.transformer = nn.Transformer(c["d_model"], c["nhead"], c["encoder_layers"], c["decoder_layers"],
                                          c["dim_feedforward"], c["dropout"], batch_first=True,
                                          norm_first=c["norm_first"])
        self.generator = nn.Linear(c["d_model"], c["tgt_vocab_size"])

    def embed(self, table, tokens):
        return self.pos(table(tokens) * math.sqrt(self.d_model))

    @torch.no_grad()
    def greedy(self, src, max_len=100, bos=2, eos=3):  # src (1,S) -> output ids
        memory = self.transformer.encoder(self.embed(self.src_embed, src))
        ys = torch.tensor([[bos]])
        for _ in range(max_len):
            mask = self.transformer.generate_square_subsequent_mask(ys.size(1))
            out = self.transformer.decoder(self.embed(self.tgt_embed, ys), memory, tgt_mask=mask)
            token = self.generator(out[:, -1]).argmax(-1).item()
            if token == eos:
                break
            ys = torch.cat([ys, torch.tensor([[token]])], dim=1)
        return ys[0, 1:].tolist()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    tensors, metadata = read_safetensors(sys.argv[1])
    model = Seq2Seq(json.loads(metadata["model"]))
    model.load_state_dict(tensors)  # strict: every name and shape must match
    model.eval()
    src, tgt = json.loads(metadata["src"]), json.loads(metadata["tgt"])
    if src["tokenizer"] != "char" or tgt["tokenizer"] != "char":
        sys.exit("this demo tokenizes characters only; the weights loaded fine (tokenizer: %s)" % src["tokenizer"])
    src_ids = {piece: i for i, piece in enumerate(src["pieces"])}
    for sentence in sys.argv[2:]:
        text = sentence.lower() if src["lowercase"] else sentence
        ids = torch.tensor([[src_ids.get(ch, 1) for ch in text]])  # 1 is <unk>
        print("".join(tgt["pieces"][i] for i in model.greedy(ids) if i > 3))


if __name__ == "__main__":
    main()
