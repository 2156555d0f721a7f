"""The benchmark's workloads in PyTorch, built and timed exactly as bench/ag_bench.cpp does in ag.

    /usr/bin/python3 bench/torch_bench.py --workload seq2seq --threads 2

Prints the figures as one JSON object. bench/run.sh runs both sides and compares them.
"""
import argparse
import json
import math
import resource
import statistics
import time

import torch
import torch.nn.functional as F

V, E, H, FF, L = 8000, 256, 8, 1024, 3
B, S, T = 64, 32, 32


def median_ms(step, warmup, steps):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


class PositionalEncoding(torch.nn.Module):
    """Sinusoidal positions ("Attention Is All You Need"), as nn::SinusoidalPositionalEncoding."""

    def __init__(self, d_model, max_len=512, dropout=0.1):
        super().__init__()
        pos = torch.arange(max_len).unsqueeze(1)
        div = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(pos * div)
        pe[:, 0, 1::2] = torch.cos(pos * div)
        self.register_buffer("pe", pe)
        self.dropout = torch.nn.Dropout(dropout)

    def forward(self, x, offset=0):
        return self.dropout(x + self.pe[offset:offset + x.size(0)])


class Seq2seq(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.src_embed, self.tgt_embed = torch.nn.Embedding(V, E), torch.nn.Embedding(V, E)
        self.position = PositionalEncoding(E)
        self.transformer = torch.nn.Transformer(E, H, L, L, FF, 0.1)
        self.generator = torch.nn.Linear(E, V)

    def embed_src(self, ids):
        return self.position(self.src_embed(ids) * math.sqrt(E))

    def embed_tgt(self, ids, offset=0):
        return self.position(self.tgt_embed(ids) * math.sqrt(E), offset)


def seq2seq_forward_flops(b, s, t):
    enc = 2 * b * s * 4 * E * E + 4 * b * s * s * E + 4 * b * s * E * FF
    dec = (2 * b * t * 4 * E * E + 4 * b * t * t * E + 2 * b * t * 2 * E * E + 2 * b * s * 2 * E * E
           + 4 * b * t * s * E + 4 * b * t * E * FF)
    return L * (enc + dec) + 2 * b * t * E * V


def seq2seq(args):
    torch.manual_seed(0)
    model = Seq2seq()
    opt = torch.optim.Adam(model.parameters(), 1e-4, betas=(0.9, 0.98), eps=1e-9)
    src, tgt = torch.randint(0, V, (S, B)), torch.randint(0, V, (T + 1, B))
    causal = torch.nn.Transformer.generate_square_subsequent_mask(T)

    def step():
        opt.zero_grad()
        h = model.transformer(model.embed_src(src), model.embed_tgt(tgt[:-1]), tgt_mask=causal)
        loss = F.cross_entropy(model.generator(h).reshape(-1, V), tgt[1:].reshape(-1), label_smoothing=0.1)
        loss.backward()
        opt.step()

    ms = median_ms(step, args.warmup, args.steps)
    return {"ms_per_step": ms, "tokens_per_s": B * T / (ms / 1000),
            "gflops": 3 * seq2seq_forward_flops(B, S, T) / (ms / 1000) / 1e9}


def gpt(args):
    v, t, b, layers, heads, e = 65, 64, 12, 4, 4, 128
    torch.manual_seed(0)
    token, position = torch.nn.Embedding(v, e), torch.nn.Embedding(t, e)
    layer = torch.nn.TransformerEncoderLayer(e, heads, 4 * e, 0.0, activation="gelu", norm_first=True)
    blocks = torch.nn.TransformerEncoder(layer, layers, norm=torch.nn.LayerNorm(e))
    head = torch.nn.Linear(e, v, bias=False)
    params = [*token.parameters(), *position.parameters(), *blocks.parameters(), *head.parameters()]
    opt = torch.optim.AdamW(params, 1e-3)
    x, y = torch.randint(0, v, (t, b)), torch.randint(0, v, (t, b))
    causal = torch.nn.Transformer.generate_square_subsequent_mask(t)
    pos = torch.arange(t).unsqueeze(1)

    def step():
        opt.zero_grad()
        h = blocks(token(x) + position(pos), mask=causal)
        F.cross_entropy(head(h).reshape(-1, v), y.reshape(-1)).backward()
        opt.step()

    ms = median_ms(step, args.warmup, args.steps)
    return {"ms_per_step": ms, "tokens_per_s": b * t / (ms / 1000)}


def translate(args):
    """The usual nn.Transformer greedy loop: re-run the decoder on the whole prefix at every step."""
    sentences, chunk, decode_len = 100, 25, 32
    torch.manual_seed(0)
    model = Seq2seq().eval()
    sources = [torch.randint(4, V, (20 + 3 * i, chunk)) for i in range(sentences // chunk)]

    @torch.no_grad()
    def run():
        for src in sources:
            memory = model.transformer.encoder(model.embed_src(src))
            ys = torch.full((1, chunk), 2, dtype=torch.long)
            for _ in range(decode_len):
                mask = torch.nn.Transformer.generate_square_subsequent_mask(ys.size(0))
                h = model.transformer.decoder(model.embed_tgt(ys), memory, tgt_mask=mask)
                ys = torch.cat([ys, model.generator(h[-1]).argmax(-1, keepdim=True).T], 0)

    ms = median_ms(run, min(args.warmup, 1), max(1, min(args.steps, 3)))
    return {"ms_per_100_sentences": ms, "sentences_per_s": sentences / (ms / 1000)}


def kernels(args):
    torch.manual_seed(0)
    reps = max(5, args.steps)

    def seconds(fn):
        return median_ms(fn, 1, reps) / 1000

    f = {}
    a, b = torch.randn(2048, 256), torch.randn(256, 1024)
    f["matmul_gflops"] = 2 * 2048 * 256 * 1024 / seconds(lambda: a @ b) / 1e9
    q, k, v = (torch.randn(64, 8, 32, 32, requires_grad=True) for _ in range(3))
    proj = torch.randn(64, 8, 32, 32)
    sec = seconds(lambda: (F.scaled_dot_product_attention(q, k, v, is_causal=True) * proj).sum().backward()) \
        if hasattr(F, "scaled_dot_product_attention") else seconds(lambda: (attention(q, k, v) * proj).sum().backward())
    f["attention_ms"] = sec * 1000
    f["attention_gflops"] = 3 * 4.0 * 64 * 8 * 32 * 32 * 32 / sec / 1e9
    x = torch.randn(2048, 256, requires_grad=True)
    ln = torch.nn.LayerNorm(256)
    dy = torch.randn(2048, 256)
    f["layernorm_gbs"] = 4.0 * 2048 * 256 * 4 / seconds(lambda: ln(x).backward(dy)) / 1e9
    xs, dys = torch.randn(4096, 1024, requires_grad=True), torch.randn(4096, 1024)
    f["softmax_gbs"] = 4.0 * 4096 * 1024 * 4 / seconds(lambda: torch.softmax(xs, -1).backward(dys)) / 1e9
    logits, target = torch.randn(2048, 8000, requires_grad=True), torch.randint(0, 8000, (2048,))
    f["cross_entropy_gbs"] = 2.0 * 2048 * 8000 * 4 / seconds(
        lambda: F.cross_entropy(logits, target, label_smoothing=0.1).backward()) / 1e9
    return f


def attention(q, k, v):
    """PyTorch 1.13 has no fused scaled_dot_product_attention: the composed form it runs."""
    t = q.size(-2)
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.size(-1))
    scores = scores.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), float("-inf"))
    return torch.softmax(scores, -1) @ v


def memory(args):
    torch.manual_seed(0)
    model = Seq2seq()
    opt = torch.optim.Adam(model.parameters(), 1e-4)
    src, tgt = torch.randint(0, V, (S, B)), torch.randint(0, V, (T + 1, B))
    causal = torch.nn.Transformer.generate_square_subsequent_mask(T)
    after_warmup = 0
    for step in range(args.memory_steps):
        opt.zero_grad()
        h = model.transformer(model.embed_src(src), model.embed_tgt(tgt[:-1]), tgt_mask=causal)
        F.cross_entropy(model.generator(h).reshape(-1, V), tgt[1:].reshape(-1), label_smoothing=0.1).backward()
        opt.step()
        if step == min(10, args.memory_steps - 1):
            after_warmup = resident_mb()
    return {"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "rss_growth_mb": resident_mb() - after_warmup, "steps": args.memory_steps}


def resident_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 1048576


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workload", required=True, choices=["seq2seq", "gpt", "translate", "kernels", "memory"])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--memory-steps", type=int, default=1000)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    print(json.dumps(globals()[args.workload](args)))


if __name__ == "__main__":
    main()
