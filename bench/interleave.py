#!/usr/bin/env python3
"""Interleaved timing for a noisy machine (run by hand, and by compare.sh).

    bench/interleave.py ROUNDS [--json FILE] 'command A' 'command B' ...

Runs every command once per round, in turn, ROUNDS times, and prints each
one's median wall time, median CPU time (user + system), least CPU time
(the run least disturbed by neighbours) and peak resident set size (the
largest of its runs; wait4's ru_maxrss, what GNU time's %M prints, which
covers the shell's children). Exit status 1 is accepted (rg when it finds
nothing, tifa check when it has findings); any other failure stops the run. Interleaving spreads a neighbour's
load over every command, so their ratios stay meaningful when absolute
times drift by tens of percent from minute to minute; hyperfine runs all
the runs of one command before the next and cannot do that.

With --json, the results are also written as
{"results": [{"command", "median", "cpu_median", "cpu_min", "max_rss_kb",
"times"}]}.
"""

import json
import os
import statistics
import subprocess
import sys
import time


def main() -> None:
    args = sys.argv[1:]
    if not args or not args[0].isdigit():
        sys.exit(__doc__)
    rounds = int(args.pop(0))
    out = None
    if args[:1] == ["--json"]:
        out = args[1]
        args = args[2:]
    walls: dict[str, list[float]] = {c: [] for c in args}
    cpus: dict[str, list[float]] = {c: [] for c in args}
    rss: dict[str, int] = {c: 0 for c in args}
    for _ in range(rounds):
        for c in args:
            start = time.perf_counter()
            child = subprocess.Popen(c, shell=True, stdout=subprocess.DEVNULL)
            _, status, usage = os.wait4(child.pid, 0)
            walls[c].append(time.perf_counter() - start)
            child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode not in (0, 1):
                sys.exit(f"interleave.py: exit status {child.returncode}: {c}")
            cpus[c].append(usage.ru_utime + usage.ru_stime)
            rss[c] = max(rss[c], usage.ru_maxrss)
    results = [
        {
            "command": c,
            "median": statistics.median(walls[c]),
            "cpu_median": statistics.median(cpus[c]),
            "cpu_min": min(cpus[c]),
            "max_rss_kb": rss[c],
            "times": walls[c],
        }
        for c in args
    ]
    print(f"{'wall s':>8} {'cpu s':>8} {'min cpu':>8} {'RSS MB':>7}  command")
    for r in results:
        print(
            f"{r['median']:8.3f} {r['cpu_median']:8.3f} {r['cpu_min']:8.3f}"
            f" {r['max_rss_kb'] // 1024:7d}  {r['command']}"
        )
    if out:
        with open(out, "w", encoding="utf-8") as f:
            json.dump({"results": results}, f, indent=1)


if __name__ == "__main__":
    main()
