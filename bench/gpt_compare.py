"""nanoGPT's CPU recipe on Tiny Shakespeare in ag and in PyTorch, one after the other at each
thread count, printed side by side with the issue's targets (a ratio > 1 means ag is better).

    /usr/bin/python3 bench/gpt_compare.py --ag build/bench/gpt_train_bench \
        --data /work/shared/data/tinyshakespeare/input.txt [--threads 1,2] [--steps 2000] [--json FILE]
        [--parallel]

Both sides get the same thread settings through the environment and on the command line. With
--parallel every run starts at once: on a machine others are using, all of them then share the
same load, and the processor times (cpu s) say what the work itself cost.
"""
import argparse
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

from compare import run  # runs one side with the thread settings, returns its JSON


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ag", required=True, help="path to gpt_train_bench")
    p.add_argument("--data", required=True, help="Tiny Shakespeare's input.txt")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--steps", default="2000")
    p.add_argument("--json", help="also write every figure to this file")
    p.add_argument("--parallel", action="store_true", help="start every run at once")
    a = p.parse_args()
    torch_script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gpt_train_torch.py")
    common = ["--data", a.data, "--steps", a.steps]
    thread_counts = [int(t) for t in a.threads.split(",")]
    jobs = [(cmd + ["--threads", str(threads)], threads) for threads in thread_counts
            for cmd in ([a.ag] + common, [sys.executable, torch_script] + common)]
    with ThreadPoolExecutor(max_workers=len(jobs) if a.parallel else 1) as pool:
        results = list(pool.map(lambda job: run(*job), jobs))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    for i, threads in enumerate(thread_counts):
        ours, theirs = results[2 * i], results[2 * i + 1]
        print(f"threads {threads}: {'':22} {'ag':>10} {'PyTorch':>10} {'ratio':>7}  target")
        rows = [("train seconds (wall)", "train_seconds", theirs["train_seconds"] / ours["train_seconds"], ">= 3x"),
                ("train seconds (cpu)", "train_cpu_seconds", theirs["train_cpu_seconds"] / ours["train_cpu_seconds"],
                 ""),
                ("validation loss", "valid_loss", None, "ag <= 1.89"),
                ("sampling tokens/s", "sample_tokens_per_s", ours["sample_tokens_per_s"] / theirs["sample_tokens_per_s"],
                 ">= 5x"),
                ("peak RSS MB", "peak_rss_mb", theirs["peak_rss_mb"] / ours["peak_rss_mb"], ">= 2x")]
        for label, key, ratio, target in rows:
            r = f"{ratio:6.2f}x" if ratio else ""
            print(f"  {label:30} {ours[key]:10.3f} {theirs[key]:10.3f} {r:>7}  {target}")


if __name__ == "__main__":
    main()
