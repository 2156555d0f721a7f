"""nanoGPT's CPU recipe in PyTorch, timed as bench/gpt_train_bench.cpp times it in ag.

    /usr/bin/python3 bench/gpt_train_torch.py --data /work/shared/data/tinyshakespeare/input.txt --threads 1

The model is nanoGPT's (examples/gpt/to_torch.py: with PyTorch 1.13 nanoGPT also takes its
explicit masked-softmax attention path) with nanoGPT's initialisation; the loop is nanoGPT's
train.py for the CPU recipe: 4 layers, 4 heads, width 128, context 64, batch 12, 2,000 steps,
no dropout, no bias, AdamW (lr 1e-3, betas 0.9/0.99, weight decay 0.1 on tensors of 2+ dims),
warmup 100 then cosine to 1e-4, gradient norm clipped to 1. Then the validation loss on 200 random
batches, and sampling speed with nanoGPT's generate (no cache: the whole window is recomputed for
every token). Prints one JSON object with the same fields as the ag side.
"""
import argparse
import gzip
import json
import math
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "gpt"))
from to_torch import GPT  # noqa: E402

BLOCK, BATCH, LR, MIN_LR, WARMUP = 64, 12, 1e-3, 1e-4, 100


def init_weights(model, n_layer):
    """nanoGPT's: N(0, 0.02) for Linears and embeddings, zero biases, and N(0, 0.02/sqrt(2 n_layer))
    for the projections into the residual stream."""
    for name, p in model.named_parameters():
        if name.endswith("c_proj.weight"):
            torch.nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * n_layer))
        elif ".ln_" in name or name.startswith("transformer.ln_f"):
            continue
        elif name.endswith(".bias"):
            torch.nn.init.zeros_(p)
        else:
            torch.nn.init.normal_(p, 0.0, 0.02)


def lr_at(step, steps):
    """ag's WarmupCosineLR: warmup counts the coming update from 1, then a half cosine to MIN_LR."""
    if step < WARMUP:
        return LR * (step + 1) / WARMUP
    q = min(1.0, (step - WARMUP) / (steps - WARMUP))
    return MIN_LR + (LR - MIN_LR) * (1 + math.cos(math.pi * q)) / 2


def cpu_seconds():
    """Processor time (user + system, every thread) so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def batch(data):
    starts = torch.randint(len(data) - BLOCK, (BATCH,))
    x = torch.stack([data[i:i + BLOCK] for i in starts])
    y = torch.stack([data[i + 1:i + 1 + BLOCK] for i in starts])
    return x, y


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples",
                                                  "gpt", "tinyshakespeare.txt.gz"))
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--eval-batches", type=int, default=200)
    p.add_argument("--sample-tokens", type=int, default=500)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1337)

    opener = gzip.open if a.data.endswith(".gz") else open
    with opener(a.data, "rt", encoding="utf-8") as f:
        text = f.read()
    chars = sorted(set(text))
    ids = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([ids[c] for c in text], dtype=torch.long)
    n = int(0.9 * len(data))
    train, valid = data[:n], data[n:]

    config = dict(vocab_size=len(chars), block_size=BLOCK, n_layer=4, n_head=4, n_embd=128, dropout=0.0, bias=False)
    model = GPT(config)
    init_weights(model, config["n_layer"])
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                                  lr=LR, betas=(0.9, 0.99))

    start, cpu_start = time.perf_counter(), cpu_seconds()
    for step in range(a.steps):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, a.steps)
        x, y = batch(train)
        logits = model(x)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), y.view(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    train_seconds, train_cpu_seconds = time.perf_counter() - start, cpu_seconds() - cpu_start

    model.eval()
    with torch.no_grad():
        losses = []
        for _ in range(a.eval_batches):
            x, y = batch(valid)
            logits = model(x)
            losses.append(F.cross_entropy(logits.view(-1, logits.size(-1)), y.view(-1)).item())
        valid_loss = sum(losses) / len(losses)

        # nanoGPT's generate: crop to the context, run it all, sample the last position.
        idx = torch.tensor([[ids["\n"]]])
        start = time.perf_counter()
        for _ in range(a.sample_tokens):
            logits = model(idx[:, -BLOCK:])[:, -1, :] / 0.8
            v, _ = torch.topk(logits, min(200, logits.size(-1)))
            logits[logits < v[:, [-1]]] = -float("inf")
            idx = torch.cat([idx, torch.multinomial(F.softmax(logits, dim=-1), 1)], dim=1)
        sample_seconds = time.perf_counter() - start

    print(json.dumps({"side": "pytorch", "threads": a.threads, "steps": a.steps, "train_seconds": train_seconds,
                      "train_cpu_seconds": train_cpu_seconds,                      "train_loss": loss.item(), "valid_loss": valid_loss,
                      "sample_tokens_per_s": a.sample_tokens / sample_seconds,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
