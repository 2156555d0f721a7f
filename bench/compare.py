"""Runs every benchmark workload in ag and in PyTorch, in the same run, at 1 and 2 threads, and
prints one table with both figures and their ratio (ratio > 1 means ag is better).

    /usr/bin/python3 bench/compare.py --ag build-bench/bench/ag_bench [--json FILE] [--quick]
                                      [--threads 1,2] [--workloads seq2seq,gpt,...] [--loaded]

Both sides get the same thread settings through the environment (OpenBLAS, OpenMP, ag) and on the
command line (PyTorch's intra-op threads, ag's set_num_threads). With --loaded, the script first
starts one process of its own that keeps a core busy for the whole run, as a shared machine or a
laptop running something else would, and stops it at the end.
"""
import argparse
import ctypes
import json
import os
import subprocess
import sys

WORKLOADS = ["seq2seq", "gpt", "translate", "kernels", "memory"]
LOWER_IS_BETTER = {"ms_per_step", "ms_per_100_sentences", "attention_ms", "peak_rss_mb", "matmul_overhead_pct"}
ONLY_AG = {"matmul_overhead_pct", "loss"}
NO_RATIO = {"steps", "rss_growth_mb"}  # shown side by side; a ratio of these means nothing


def openblas_core():
    """The kernels OpenBLAS picked for this CPU (both sides load the same library)."""
    try:
        blas = ctypes.CDLL("libopenblas.so.0")
        blas.openblas_get_corename.restype = ctypes.c_char_p
        core = blas.openblas_get_corename().decode()
    except (OSError, AttributeError):
        return "unknown"
    forced = os.environ.get("OPENBLAS_CORETYPE")
    return f"{core} (OPENBLAS_CORETYPE={forced})" if forced else core


def run(cmd, threads):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               AG_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"benchmark failed: {' '.join(cmd)}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ag", required=True, help="path to the ag_bench executable")
    p.add_argument("--json", help="also write every figure to this file")
    p.add_argument("--quick", action="store_true", help="fewer steps (for a smoke run, not for quoting)")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--workloads", default=",".join(WORKLOADS), help="a comma-separated subset of " + ", ".join(WORKLOADS))
    p.add_argument("--loaded", action="store_true", help="run beside one busy process that this script starts")
    args = p.parse_args()
    competitor = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if args.loaded else None
    try:
        compare(args)
    finally:
        if competitor:
            competitor.kill()


def compare(args):
    torch_bench = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_bench.py")
    steps = ["--steps", "3", "--warmup", "1", "--memory-steps", "30"] if args.quick else []

    # Memory is watched once, at the most threads: ag over its full 1,000 steps (the growth figure
    # is ag's promise), PyTorch over 100, by which its peak has long been reached.
    thread_counts = [int(t) for t in args.threads.split(",")]
    workloads = args.workloads.split(",")
    if any(w not in WORKLOADS for w in workloads):
        sys.exit(f"--workloads: choose from {', '.join(WORKLOADS)}")
    results = {}
    for threads in thread_counts:
        common = ["--threads", str(threads)] + steps
        sgemm = run([args.ag, "--workload", "sgemm", "--threads", str(threads)], threads)["gflops"]
        results[threads] = {"sgemm_gflops": sgemm}
        for w in workloads:
            if w == "memory" and threads != max(thread_counts):
                continue
            torch_extra = ["--memory-steps", "100"] if w == "memory" and not args.quick else []
            print(f"[{threads} thread(s)] {w} ...", file=sys.stderr, flush=True)
            results[threads][w] = {"ag": run([args.ag, "--workload", w] + common, threads),
                                   "torch": run(["/usr/bin/python3", torch_bench, "--workload", w] + common
                                                + torch_extra, threads)}

    print(f"OpenBLAS kernels: {openblas_core()}; sgemm rows: one 2048^3 product, the machine's ceiling")
    if args.loaded:
        print("beside one busy process (--loaded)")
    print(f"{'workload':<10} {'figure':<22} {'threads':>7} {'ag':>12} {'pytorch':>12} {'ratio':>7}")
    for threads, r in results.items():
        print(f"{'sgemm':<10} {'gflops (2048^3)':<22} {threads:>7} {r['sgemm_gflops']:>12.1f} {'':>12} {'':>7}")
        for w in (w for w in WORKLOADS if w in r):
            ag, pt = r[w]["ag"], r[w]["torch"]
            for key, value in ag.items():
                if key in ONLY_AG or key not in pt:
                    if key != "loss":
                        print(f"{w:<10} {key:<22} {threads:>7} {value:>12.2f} {'':>12} {'':>7}")
                    continue
                if key in NO_RATIO:
                    print(f"{w:<10} {key:<22} {threads:>7} {value:>12.2f} {pt[key]:>12.2f} {'':>7}")
                    continue
                ratio = pt[key] / value if key in LOWER_IS_BETTER else value / pt[key]
                print(f"{w:<10} {key:<22} {threads:>7} {value:>12.2f} {pt[key]:>12.2f} {ratio:>6.2f}x")
            if w == "seq2seq":
                mfu = ag["gflops"] / r["sgemm_gflops"]
                print(f"{w:<10} {'model FLOP utilisation':<22} {threads:>7} {mfu:>11.0%} "
                      f"{pt['gflops'] / r['sgemm_gflops']:>11.0%} {'':>7}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
