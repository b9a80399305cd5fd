#!/usr/bin/env python3
"""The benchmark corpus, and ripgrep's count on it (see bench/compare.sh).

    python3 bench/corpus.py DIR SIZE_MB     write DIR/big.txt and DIR/tree/
    python3 bench/corpus.py --rg-count DIR  rg's outermost matches on big.txt
    python3 bench/corpus.py --explain DIR HS_COUNT LEXICON_JSON TIFA_SUM
        from every match of the normalized patterns on the normalized copy
        (what Hyperscan and the aho-corasick DFA count; HS_COUNT --dump
        lists them) to the sum of tifa's per-entry counts, step by step

The corpus repeats the project's samples (with their line wraps, full-width
forms and misquotes), so it is the same on every machine.
"""
import glob
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def samples() -> str:
    files = sorted(glob.glob(os.path.join(ROOT, "samples", "*.txt")) + glob.glob(os.path.join(ROOT, "samples", "*.md")))
    return "".join(open(f, encoding="utf-8").read() for f in files)


def write(dir_: str, size_mb: int) -> None:
    block = samples().encode("utf-8")
    target = size_mb * 1_000_000
    big = os.path.join(dir_, "big.txt")
    if not os.path.exists(big) or not target <= os.path.getsize(big) < target + len(block):
        with open(big, "wb") as f:
            n = 0
            while n < target:
                f.write(block)
                n += len(block)
    tree = os.path.join(dir_, "tree")
    per_file = max(1, target // 2000 // len(block))
    stamp = os.path.join(dir_, "tree.size")
    if not os.path.isdir(tree) or not os.path.exists(stamp) or open(stamp).read() != str(per_file):
        shutil.rmtree(tree, ignore_errors=True)
        for i in range(2000):
            sub = os.path.join(tree, f"d{i % 20:02d}", f"e{i % 7}")
            os.makedirs(sub, exist_ok=True)
            with open(os.path.join(sub, f"report-{i:04d}.txt"), "wb") as f:
                f.write(block * per_file)
        with open(stamp, "w") as f:
            f.write(str(per_file))


# The normalization of tifa's src/text/normalize.rs, for ripgrep's copy.
def is_cjk(c: str) -> bool:
    o = ord(c)
    return (0x2E80 <= o <= 0x2FDF or 0x3001 <= o <= 0x303F or 0x3040 <= o <= 0x30FF or 0x3100 <= o <= 0x312F
            or 0x31C0 <= o <= 0x31EF or 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF
            or 0xFE10 <= o <= 0xFE1F or 0xFE30 <= o <= 0xFE4F or 0xFF01 <= o <= 0xFF0F or 0xFF1A <= o <= 0xFF20
            or 0xFF3B <= o <= 0xFF40 or 0xFF5B <= o <= 0xFF65 or 0x20000 <= o <= 0x3FFFF
            or c in "\u2018\u2019\u201c\u201d\u2014\u2026\u00b7")


FULL = set(",:;!?()")


def canonical(c: str) -> str:
    o = ord(c)
    if 0xFF01 <= o <= 0xFF5E:
        half = chr(o - 0xFEE0)
        return c if half in FULL else half
    if c in FULL:
        return chr(o + 0xFEE0)
    return c


def normalize(t: str) -> str:
    out, i, prev = [], 0, None
    while i < len(t):
        c = t[i]
        if c.isspace():
            j = i
            while j < len(t) and t[j].isspace():
                j += 1
            nxt = t[j] if j < len(t) else None
            if not (prev and is_cjk(prev) and nxt and is_cjk(nxt)):
                out.append(t[i:j])
            i = j
            continue
        out.append(canonical(c))
        prev = c
        i += 1
    return "".join(out)


def rg_count(dir_: str) -> int:
    norm = os.path.join(dir_, "big.normalized.txt")
    pats = os.path.join(dir_, "patterns.normalized.txt")
    big = os.path.join(dir_, "big.txt")
    # The normalized copy is kept while it is newer than big.txt (it is the
    # same for every lexicon).
    if not os.path.exists(norm) or os.path.getmtime(norm) < os.path.getmtime(big):
        with open(big, encoding="utf-8") as f, open(norm + ".part", "w", encoding="utf-8") as g:
            g.write(normalize(f.read()))
        os.replace(norm + ".part", norm)
    forms = [normalize(p) for p in open(os.path.join(dir_, "patterns.txt"), encoding="utf-8").read().splitlines() if p]
    forms.sort(key=len, reverse=True)
    with open(pats, "w", encoding="utf-8") as g:
        g.write("\n".join(forms) + "\n")
    text = open(norm, "rb").read()
    out = subprocess.run(["rg", "-o", "-b", "-F", "-f", pats, "--no-filename", norm], capture_output=True, check=True).stdout
    count = 0
    for line in out.decode("utf-8").splitlines():
        at, m = line.split(":", 1)
        start, end = int(at), int(at) + len(m.encode("utf-8"))
        mb = m.encode("utf-8")
        alnum = lambda b: chr(b).isascii() and chr(b).isalnum()
        if mb[:1] and alnum(mb[0]) and start > 0 and alnum(text[start - 1]):
            continue
        if alnum(mb[-1]) and end < len(text) and alnum(text[end]):
            continue
        count += 1
    return count


def explain(dir_: str, hs_count: str, lexicon_json: str, tifa_sum: int) -> None:
    """Every match of every literal (Hyperscan's count, flags none) against
    tifa's per-entry counts (src/scan/mod.rs, `per_entry`): the same forms
    and text (rg_count's normalized copies), then the boundary rule, each
    form counted once per entry that holds it, and leftmost-longest spans
    per entry (a variant inside its own term is not counted again)."""
    norm = os.path.join(dir_, "big.normalized.txt")
    pats_path = os.path.join(dir_, "patterns.normalized.txt")
    pats = [p.encode("utf-8") for p in open(pats_path, encoding="utf-8").read().splitlines() if p]
    entries = json.load(open(lexicon_json, encoding="utf-8"))["entries"]
    holders: dict[bytes, list[int]] = {}
    for i, e in enumerate(entries):
        for f in [e["term"], *e["variants"]]:
            if "\n" in f or "\r" in f:
                continue
            nf = normalize(f).encode("utf-8")
            if i not in holders.setdefault(nf, []):
                holders[nf].append(i)
    text = open(norm, "rb").read()
    out = subprocess.run([hs_count, "--dump", pats_path, norm], capture_output=True, check=True).stdout.split(b"\n")
    total = int(out[-2])
    seen: set[bytes] = set()
    first = []
    for p in pats:
        first.append(p not in seen)
        seen.add(p)
    edges = [(chr(p[0]).isascii() and chr(p[0]).isalnum(), chr(p[-1]).isascii() and chr(p[-1]).isalnum()) for p in pats]
    alnum = [bytes([b]).isalnum() for b in range(256)]
    repeated = boundary = 0
    per_entry: dict[int, list[tuple[int, int]]] = {}
    for line in out[:-2]:
        pid, end = line.split(b" ")
        pid, end = int(pid), int(end)
        p = pats[pid]
        if not first[pid]:
            repeated += 1
            continue
        start = end - len(p)
        s_edge, e_edge = edges[pid]
        if s_edge and start > 0 and alnum[text[start - 1]] or e_edge and end < len(text) and alnum[text[end]]:
            boundary += 1
            continue
        for i in holders[p]:
            per_entry.setdefault(i, []).append((start, -end))
    kept = sum(len(v) for v in per_entry.values())
    counted = 0
    for hits in per_entry.values():
        hits.sort()
        reach = -1
        for start, end in hits:
            if start >= reach:
                counted += 1
                reach = -end
    print(f"  every match of the {len(pats)} normalized patterns: {total}")
    print(f"  - {repeated} of patterns that normalize to an earlier one (full-width or spaced spellings)")
    print(f"  - {boundary} inside a longer ASCII word or number (tifa's boundary rule)")
    print(f"  + {kept - (total - repeated - boundary)} for forms that several entries share (counted once per entry)")
    print(f"  - {kept - counted} overlapped by a longer form of the same entry (leftmost-longest per entry)")
    print(f"  = {counted}: tifa count --all-terms, sum of per-entry counts: {tifa_sum}" + ("" if counted == tifa_sum else "  (still differs)"))


if __name__ == "__main__":
    if sys.argv[1] == "--rg-count":
        print(rg_count(sys.argv[2]))
    elif sys.argv[1] == "--explain":
        explain(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        write(sys.argv[1], int(sys.argv[2]))
