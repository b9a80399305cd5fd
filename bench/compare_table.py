#!/usr/bin/env python3
"""The tables of bench/compare.sh, from what it left in its folder.

    python3 bench/compare_table.py DIR

For each lexicon (embedded, seed): the timing runs' medians (timing-LEX.json
and timing-LEX-check.json, labelled by labels-LEX*.txt: "name|corpus|threads"),
median CPU s (user + system), MB/s (from the wall time) and MB per CPU
second (what a busy machine disturbs less, for one-thread runs), time against Hyperscan and against `rg -n --column -o` (one thread, the
big file), two threads against one, peak RSS; Hyperscan's compile and the
DFA's build times from their logs.
"""
import json
import os
import re
import statistics
import sys


def size_mb(d: str, corpus: str) -> float:
    if corpus == "big":
        return os.path.getsize(os.path.join(d, "big.txt")) / 1e6
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(os.path.join(d, "tree")) for f in fs) / 1e6


def rows(d: str, lex: str) -> list[dict]:
    out = []
    for part in ("", "-check"):
        path = os.path.join(d, f"timing-{lex}{part}.json")
        if not os.path.exists(path):
            continue
        labels = open(os.path.join(d, f"labels-{lex}{part}.txt"), encoding="utf-8").read().splitlines()
        results = json.load(open(path))["results"]
        for label, r in zip(labels, results):
            name, corpus, threads = label.split("|")
            out.append({**r, "name": name, "corpus": corpus, "threads": int(threads), "rounds": len(r["times"])})
    return out


def log_times(path: str, what: str) -> str:
    if not os.path.exists(path):
        return ""
    text = open(path, encoding="utf-8").read()
    build = [float(x) for x in re.findall(rf"{what} ([0-9.]+) s", text)]
    scan = [float(x) for x in re.findall(r"scan ([0-9.]+) s", text)]
    if not build:
        return ""
    return f"{statistics.median(build):.3f} s to build, {statistics.median(scan):.3f} s to scan (medians of {len(build)})"


def main() -> None:
    d = sys.argv[1]
    sizes = {c: size_mb(d, c) for c in ("big", "folder")}
    for lex in ("embedded", "seed"):
        rs = rows(d, lex)
        if not rs:
            continue
        lexicon = json.load(open(os.path.join(d, f"lexicon-{lex}.json")))["entries"]
        forms = len(open(os.path.join(d, f"patterns-{lex}.txt"), encoding="utf-8").read().splitlines())
        one = {(r["name"], r["corpus"]): r for r in rs if r["threads"] == 1}
        hs = one.get(("Hyperscan", "big"))
        rgo = one.get(("rg -n --column -o", "big"))
        print(f"### {lex} lexicon: {len(lexicon)} entries, {forms} forms; big file {sizes['big']:.0f} MB, folder {sizes['folder']:.0f} MB (2,000 files)\n")
        print("| command | corpus | threads | rounds | median s | CPU s | MB/s | MB per CPU s | time / Hyperscan | time / rg -n --column -o | vs one thread | peak RSS MB |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in rs:
            mbs = sizes[r["corpus"]] / r["median"]
            vs_hs = vs_rg = vs_one = "—"
            if r["corpus"] == "big" and r["threads"] == 1:
                if hs:
                    vs_hs = f"{r['median'] / hs['median']:.2f}"
                if rgo:
                    vs_rg = f"{r['median'] / rgo['median']:.2f}"
            if r["threads"] > 1:
                base = one.get((r["name"], r["corpus"])) or one.get(("tifa count", r["corpus"]))
                if base:
                    vs_one = f"{base['median'] / r['median']:.2f}×"
            name = f"`{r['name']}`" if r["name"].startswith(("tifa", "rg")) else r["name"]
            print(f"| {name} | {r['corpus']} | {r['threads']} | {r['rounds']} | {r['median']:.3f} | {r['cpu_median']:.3f} | {mbs:.0f} | {sizes[r['corpus']] / r['cpu_median']:.0f} | {vs_hs} | {vs_rg} | {vs_one} | {r['max_rss_kb'] // 1024} |")
        notes = []
        h = log_times(os.path.join(d, f"hs-{lex}.log"), "compile")
        if h:
            notes.append(f"Hyperscan: {h}")
        a = log_times(os.path.join(d, f"ac-{lex}.log"), "build")
        if a:
            notes.append(f"aho-corasick DFA: {a}")
        for n in notes:
            print(f"\n{n}.")
        print()
    lookup = os.path.join(d, "lookup.json")
    if os.path.exists(lookup):
        r = json.load(open(lookup))["results"][0]
        print(f"`tifa lookup 两队一室` (start-up plus a look-up, hyperfine): {r['mean'] * 1000:.1f} ms ± {r['stddev'] * 1000:.1f}")


if __name__ == "__main__":
    main()
