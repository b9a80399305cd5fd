#!/usr/bin/env python3
"""The Python package against the CLI on the benchmark corpus (by hand):

    python bench/python.py [ROUNDS]      with tifa installed (pip install ./python)

Needs the corpus of bench/compare.sh (`python3 bench/corpus.py
target/bench/compare 200`: 2,000 files, about 200 MB) and a release build
of the CLI (`cargo build --release`). Times, interleaved, median of ROUNDS
(default 5):

- `tifa count -j1 --format json` on the folder (the CLI reads the files
  itself);
- `Scanner.count_batch(texts, threads=1, total=True)` on the same files,
  already read into a list of `str` (the call alone), and the same with
  the reading (`open().read()` of every file) counted in;
- the files read as `bytes` and decoded by the engine on its threads
  (`count_batch` of a list of `bytes`), reading counted in;
- the same with `threads=None` (all cores), and the CLI with all.

Checks first that the package and the CLI give the same counts.
"""

import glob
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TREE = os.path.join(ROOT, "target", "bench", "compare", "tree")
TIFA = os.path.join(ROOT, "target", "release", "tifa")


def main() -> None:
    import tifa

    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    paths = sorted(glob.glob(os.path.join(TREE, "**", "*.txt"), recursive=True))
    if not paths:
        sys.exit(f"no corpus in {TREE}: python3 bench/corpus.py target/bench/compare 200")
    size = sum(os.path.getsize(p) for p in paths)
    threads = os.cpu_count() or 1

    def read():
        texts = []
        for p in paths:
            with open(p, encoding="utf-8") as f:
                texts.append(f.read())
        return texts

    def read_bytes():
        out = []
        for p in paths:
            with open(p, "rb") as f:
                out.append(f.read())
        return out

    texts = read()
    blobs = read_bytes()
    scanner = tifa.Scanner()
    want = json.loads(
        subprocess.run(
            [TIFA, "--no-config", "count", "-j1", "--format", "json", TREE],
            capture_output=True,
            check=True,
        ).stdout
    )
    got = scanner.count_batch(texts, threads=1, total=True)
    assert got == {e["id"]: e["count"] for e in want["entries"]}, "counts differ from the CLI's"
    assert scanner.count_batch(blobs, total=True) == got, "bytes count differently"

    def cli(j):
        return lambda: subprocess.run(
            [TIFA, "--no-config", "count", f"-j{j}", "--format", "json", TREE],
            stdout=subprocess.DEVNULL,
            check=True,
        )

    cases = {
        "cli count -j1": cli(1),
        "count_batch threads=1 (call)": lambda: scanner.count_batch(texts, threads=1, total=True),
        "count_batch threads=1 (read + call)": lambda: scanner.count_batch(
            read(), threads=1, total=True
        ),
        "count_batch threads=1 (bytes: call)": lambda: scanner.count_batch(
            blobs, threads=1, total=True
        ),
        "count_batch threads=1 (bytes: read + call)": lambda: scanner.count_batch(
            read_bytes(), threads=1, total=True
        ),
        f"cli count -j{threads}": cli(threads),
        "count_batch threads=None (call)": lambda: scanner.count_batch(texts, total=True),
        "count_batch threads=None (read + call)": lambda: scanner.count_batch(read(), total=True),
        "count_batch threads=None (bytes: call)": lambda: scanner.count_batch(blobs, total=True),
        "count_batch threads=None (bytes: read + call)": lambda: scanner.count_batch(
            read_bytes(), total=True
        ),
    }
    times = {name: [] for name in cases}
    for _ in range(rounds):
        for name, f in cases.items():
            t0 = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - t0)
    print(f"{len(paths)} files, {size / 1e6:.1f} MB, {rounds} rounds, medians:")
    base = statistics.median(times["cli count -j1"])
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"  {name:46} {m * 1000:8.1f} ms  {size / m / 1e6:7.1f} MB/s  {base / m:5.2f}x cli -j1")
    for kind in ("call", "bytes: call", "bytes: read + call"):
        one = statistics.median(times[f"count_batch threads=1 ({kind})"])
        allc = statistics.median(times[f"count_batch threads=None ({kind})"])
        print(f"  count_batch ({kind}) all threads / one thread: {one / allc:.2f}x")


if __name__ == "__main__":
    main()
