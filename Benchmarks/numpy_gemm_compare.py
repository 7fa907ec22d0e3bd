#!/usr/bin/env python3
"""Kindling's GEMM and numpy's (OpenBLAS, or whatever BLAS numpy was built with) side by side, in
the same run, at the square sizes of `benchmarks gemm` (512^3 to 2048^3), on 1 thread and on all.

Each round runs `benchmarks gemm` once, then numpy at each size, best of five calls, in a fresh
process per thread count (a BLAS reads its thread count when it loads). Several rounds, because
shared machines vary from run to run: every round is printed, then the worst of the rounds.

    python3 Benchmarks/numpy_gemm_compare.py [--rounds 3]

Needs `pip install numpy`. Builds the benchmarks first (`swift build -c release`).
"""
import argparse
import os
import re
import subprocess
import sys

SIZES = [512, 1024, 2048]

NUMPY_PROBE = """
import time
import numpy as np
for n in %r:
    a = np.random.rand(n, n).astype(np.float32)
    b = np.random.rand(n, n).astype(np.float32)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    print(n, 2 * n ** 3 / best / 1e9)
""" % (SIZES,)


def numpy_gflops(threads):
    environment = dict(os.environ)
    for name in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"]:
        environment[name] = str(threads)
    output = subprocess.run([sys.executable, "-c", NUMPY_PROBE], env=environment, check=True,
                            capture_output=True, text=True).stdout
    return {int(n): float(g) for n, g in (line.split() for line in output.splitlines())}


def kindling_gflops(binary):
    output = subprocess.run([binary, "gemm"], check=True, capture_output=True, text=True).stdout
    single, parallel = {}, {}
    for line in output.splitlines():
        match = re.match(r"\s*(\d+)\^3\s+\S+\s+([\d.]+)\s+\d+%\s+([\d.]+)", line)
        if match and int(match.group(1)) in SIZES:
            single[int(match.group(1))] = float(match.group(2))
            parallel[int(match.group(1))] = float(match.group(3))
    peak = re.search(r"([\d.]+) GFLOP/s on 1 thread, ([\d.]+) on (\d+) threads", output)
    return single, parallel, (float(peak.group(1)), float(peak.group(2)), int(peak.group(3)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run(["swift", "build", "-c", "release", "--product", "benchmarks"], cwd=root, check=True,
                   stdout=subprocess.DEVNULL)
    bin_path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=root, check=True,
                              capture_output=True, text=True).stdout.strip()
    binary = os.path.join(bin_path, "benchmarks")

    worst = {}
    for round_number in range(1, args.rounds + 1):
        single, parallel, (peak_one, peak_all, cores) = kindling_gflops(binary)
        numpy_one, numpy_all = numpy_gflops(1), numpy_gflops(cores)
        print(f"round {round_number}: FMA peak {peak_one:.1f} GFLOP/s on 1 thread, {peak_all:.1f} on {cores}")
        for n in SIZES:
            for label, kindling, numpy, peak in [("1 thread", single, numpy_one, peak_one),
                                                 (f"{cores} threads", parallel, numpy_all, peak_all)]:
                ratio = kindling[n] / numpy[n]
                print(f"  {n}^3 {label:>9}: Kindling {kindling[n]:6.1f} ({100 * kindling[n] / peak:3.0f}% of peak), "
                      f"numpy {numpy[n]:6.1f} ({100 * numpy[n] / peak:3.0f}%): Kindling/numpy {ratio:.2f}")
                key = (n, label)
                worst[key] = min(worst.get(key, ratio), ratio)
    print(f"worst of {args.rounds} rounds, Kindling/numpy: "
          + ", ".join(f"{n}^3 {label} {ratio:.2f}" for (n, label), ratio in sorted(worst.items())))


if __name__ == "__main__":
    main()
