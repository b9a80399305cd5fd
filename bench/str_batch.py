#!/usr/bin/env python3
"""count_batch of a list of str on one thread, then on all, RUNS times
(by hand; tifa installed, the corpus of bench/corpus.py):

    python bench/str_batch.py [RUNS]

Prints each run's ratio (one thread / all threads) and their median: the
figure issue 19 sets (>= 1.8x on two cores), measured without the CLI
runs of bench/python.py in between.
"""

import glob
import os
import statistics
import sys
import time

import tifa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TREE = os.path.join(ROOT, "target", "bench", "compare", "tree")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    paths = sorted(glob.glob(os.path.join(TREE, "**", "*.txt"), recursive=True))
    if not paths:
        sys.exit(f"no corpus in {TREE}: python3 bench/corpus.py target/bench/compare 200")
    texts = [open(p, encoding="utf-8").read() for p in paths]
    scanner = tifa.Scanner()
    scanner.count_batch(texts[:50])  # the pool and the automaton
    ratios = []
    for _ in range(runs):
        t = time.perf_counter()
        one = scanner.count_batch(texts, threads=1, total=True)
        t1 = time.perf_counter() - t
        t = time.perf_counter()
        assert scanner.count_batch(texts, total=True) == one
        tn = time.perf_counter() - t
        ratios.append(t1 / tn)
        print(f"one thread {t1 * 1000:.0f} ms, all {tn * 1000:.0f} ms: {t1 / tn:.2f}x", flush=True)
    print(f"median {statistics.median(ratios):.2f}x over {runs} runs")


if __name__ == "__main__":
    main()
