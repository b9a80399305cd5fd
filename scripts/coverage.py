#!/usr/bin/env python3
"""Writes lexicon/COVERAGE.md: which quoted formulations of a source article
the lexicon covers, and why the others are left out.

Usage:
    python3 scripts/coverage.py ARTICLE.txt [--tifa PATH] [--out PATH]
                                [--exclusions PATH]

Every distinct text in Chinese double quotes “…” is taken, in order of first
appearance; a single-quoted text ‘…’ inside one is also taken on its own, after
its outer quote. An opening “ that is never closed before the next “ is cut at
the first clause mark (，。；：！？). Line breaks inside a quote (page breaks of a
PDF extraction) are removed between CJK characters.

For each quoted text the script asks tifa:

- covered exactly: `tifa scan` finds one entry whose term or variant spans the
  whole text, and `tifa lookup` confirms it is that entry's term or variant;
- covered partly: `tifa scan` finds entries inside the text;
- left out: nothing found; the reason must be in the hand-kept exclusions
  table (default scripts/coverage-exclusions.toml). A partly covered text may
  have an exclusion too; it then says why the whole is not an entry.

Whole sentences (over 24 characters and containing ，, , or 。) are shown as their
first 10 characters and “…”, so that COVERAGE.md does not copy the article;
an exclusion names such a text in that shortened form.

Exit status: 0 when every quoted text is covered or excluded, 1 when some are
neither (they are listed on stderr; COVERAGE.md is still written), 2 on a
usage or tool error.

Python 3 standard library only (tomllib is used when present, i.e. 3.11+;
otherwise a small reader of the exclusions format is used).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "lexicon", "COVERAGE.md")
DEFAULT_EXCLUSIONS = os.path.join(ROOT, "scripts", "coverage-exclusions.toml")

SENTENCE_MIN_CHARS = 24  # longer than this and containing ，or 。: a sentence
SHOWN_CHARS = 10  # a sentence is shown as its first 10 characters + “…”
CLAUSE_MARKS = "，。；：！？,;:!?"

# ───────────────────────── normalization (as tifa's) ─────────────────────────


def is_cjk(c: str) -> bool:
    """The same set as tifa::text::normalize::is_cjk."""
    o = ord(c)
    return (
        0x2E80 <= o <= 0x2FDF
        or 0x3001 <= o <= 0x303F
        or 0x3040 <= o <= 0x30FF
        or 0x3100 <= o <= 0x312F
        or 0x31C0 <= o <= 0x31EF
        or 0x3400 <= o <= 0x4DBF
        or 0x4E00 <= o <= 0x9FFF
        or 0xF900 <= o <= 0xFAFF
        or 0xFE10 <= o <= 0xFE1F
        or 0xFE30 <= o <= 0xFE4F
        or 0xFF01 <= o <= 0xFF0F
        or 0xFF1A <= o <= 0xFF20
        or 0xFF3B <= o <= 0xFF40
        or 0xFF5B <= o <= 0xFF65
        or 0x20000 <= o <= 0x3FFFF
        or c in "\u2018\u2019\u201c\u201d\u2014\u2026\u00b7"
    )


WS = re.compile(r"[ \t\r\n\f\v\u3000]+")


def _join_ws(text: str, keep: str) -> str:
    """Deletes whitespace runs between two CJK characters; replaces the
    others by `keep` (None: leave them as they are)."""

    def repl(m: re.Match[str]) -> str:
        a = text[m.start() - 1] if m.start() > 0 else ""
        b = text[m.end()] if m.end() < len(text) else ""
        if a and b and is_cjk(a) and is_cjk(b):
            return ""
        return m.group(0) if keep is None else keep

    return WS.sub(repl, text)


def normalize(text: str) -> str:
    """tifa's matching normalization: full-width ASCII folds to half-width,
    whitespace between CJK characters is deleted. Nothing else."""
    folded = "".join(
        chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in text
    )
    folded = folded.replace("\u3000", " ")
    return _join_ws(folded, None)


def clean(text: str) -> str:
    """A quoted text as shown: line breaks between CJK characters removed,
    other whitespace runs made one space, ends trimmed."""
    return _join_ws(text, " ").strip()


# ───────────────────────────── quote extraction ─────────────────────────────


@dataclass
class Quote:
    text: str  # cleaned
    unclosed: bool = False
    nested: bool = False


def extract_quotes(article: str) -> list[Quote]:
    """Distinct quoted texts in order of first appearance."""
    found: list[tuple[int, Quote]] = []
    spans: list[tuple[int, int]] = []  # double-quoted spans
    i, n = 0, len(article)
    while i < n:
        if article[i] != "“":
            i += 1
            continue
        close = article.find("”", i + 1)
        reopen = article.find("“", i + 1)
        if close == -1 or (reopen != -1 and reopen < close):
            # Unclosed: cut at the first clause mark (or the next quote).
            end = reopen if reopen != -1 else n
            body = article[i + 1 : end]
            cut = min(
                [body.find(m) for m in CLAUSE_MARKS if m in body] or [len(body)]
            )
            found.append((i, Quote(clean(body[:cut]), unclosed=True)))
            spans.append((i, end))
            i = end
            continue
        body = article[i + 1 : close]
        found.append((i, Quote(clean(body))))
        spans.append((i, close))
        for m in re.finditer(r"‘([^‘’]*)’", body):
            found.append((i + 1 + m.start(), Quote(clean(m.group(1)), nested=True)))
        i = close + 1
    # Single quotes outside double quotes count as quotes too.
    for m in re.finditer(r"‘([^‘’“”]*)’", article):
        if not any(a < m.start() < b for a, b in spans):
            found.append((m.start(), Quote(clean(m.group(1)))))
    found.sort(key=lambda pq: pq[0])
    seen: dict[str, Quote] = {}
    for _, q in found:
        if q.text and q.text not in seen:
            seen[q.text] = q
    return list(seen.values())


def is_sentence(text: str) -> bool:
    """Over 24 characters with a comma (full- or half-width) or a full stop."""
    n = normalize(text)
    return len(text) > SENTENCE_MIN_CHARS and ("," in n or "。" in n)


def shown(text: str) -> str:
    return text[:SHOWN_CHARS] + "…" if is_sentence(text) else text


# ────────────────────────────────── tifa ──────────────────────────────────


def find_tifa(given: str | None) -> str:
    if given:
        return given
    built = os.path.join(ROOT, "target", "release", "tifa")
    if os.access(built, os.X_OK):
        return built
    on_path = shutil.which("tifa")
    if on_path:
        return on_path
    sys.exit("coverage.py: no tifa found; build it (cargo build --release) or pass --tifa PATH")


def run_tifa(tifa: str, args: list[str], stdin: str | None = None) -> tuple[int, str]:
    try:
        p = subprocess.run(
            [tifa, "--color", "never", *args],
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )
    except OSError as e:
        print(f"coverage.py: cannot run {tifa}: {e}", file=sys.stderr)
        sys.exit(2)
    if p.returncode not in (0, 1):
        print(f"coverage.py: tifa {' '.join(args)} failed:\n{p.stderr}", file=sys.stderr)
        sys.exit(2)
    return p.returncode, p.stdout


@dataclass
class Verdict:
    exact: str | None = None  # entry id
    inside: list[str] = field(default_factory=list)  # entry ids, in order
    wrong: list[tuple[str, str]] = field(default_factory=list)  # (form, id)


def judge(tifa: str, quotes: list[Quote]) -> list[Verdict]:
    # One scan over all quotes, one per line.
    # Each inside quotation marks, as the article has it (entries with
    # `context = "quoted"` need them); columns are then one further on.
    _, out = run_tifa(
        tifa,
        ["--all-terms", "scan", "--format", "json", "-"],
        "\n".join(f"“{q.text}”" for q in quotes) + "\n",
    )
    by_line: dict[int, list[dict]] = {}
    for m in json.loads(out)["matches"]:
        by_line.setdefault(m["line"], []).append(m)
    verdicts = []
    for k, q in enumerate(quotes, start=1):
        v = Verdict()
        matches = by_line.get(k, [])
        whole = [
            m
            for m in matches
            if m["line"] == m["end_line"] == k
            and m["column"] == 2
            and m["end_column"] == len(q.text) + 2
        ]
        if whole:
            # Confirm with lookup: the text is that entry's term or a variant.
            _, lo = run_tifa(tifa, ["lookup", "--format", "json", q.text])
            ids = {
                e["id"]
                for e in json.loads(lo)["entries"]
                if e["match"] in ("term", "variant")
            }
            if whole[0]["id"] in ids:
                v.exact = whole[0]["id"]
        if v.exact is None:
            for m in matches:
                if m["id"] not in v.inside:
                    v.inside.append(m["id"])
        verdicts.append(v)
    # Wrong forms are not listed by scan: look for them here.
    _, ex = run_tifa(tifa, ["lexicon", "export", "--format", "json"])
    wrong = [
        (normalize(w["form"]), w["form"], e["id"])
        for e in json.loads(ex)["entries"]
        for w in e.get("wrong", [])
    ]
    for q, v in zip(quotes, verdicts):
        nq = normalize(q.text)
        v.wrong = [(form, eid) for nf, form, eid in wrong if nf in nq]
    return verdicts


# ──────────────────────────────── exclusions ────────────────────────────────


def read_exclusions(path: str) -> list[dict[str, str]]:
    """The `[[excluded]]` tables of the exclusions file."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        sys.exit(f"coverage.py: cannot read {path}: {e}")
    body = "\n".join(lines)
    try:
        import tomllib  # Python 3.11+

        data = tomllib.loads(body)
        rows = data.get("excluded", [])
    except ImportError:
        rows = _read_simple(body)
    except Exception as e:  # tomllib.TOMLDecodeError
        sys.exit(f"coverage.py: {path}: {e}")
    for r in rows:
        if not str(r.get("text", "")).strip() or not str(r.get("reason", "")).strip():
            sys.exit(f"coverage.py: {path}: every [[excluded]] needs a text and a reason: {r}")
    return rows


def _read_simple(body: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for ln in body.splitlines():
        ln = ln.strip()
        if ln == "[[excluded]]":
            rows.append({})
        elif rows and (m := re.match(r'^(text|reason)\s*=\s*"((?:[^"\\]|\\.)*)"\s*$', ln)):
            rows[-1][m.group(1)] = json.loads('"' + m.group(2) + '"')
    return rows


# ────────────────────────────────── output ──────────────────────────────────


def cell(s: str) -> str:
    return s.replace("|", "\\|")


def write_report(path: str, article: str, rows: list[tuple[str, str, str]], counts: dict[str, int]) -> None:
    name = os.path.basename(article)
    lines = [
        "# Coverage of the seed article's quoted formulations",
        "",
        "Generated by `scripts/coverage.py`; do not edit by hand. To regenerate, build",
        "tifa and run, from the repository root:",
        "",
        "```sh",
        "cargo build --release",
        f"python3 scripts/coverage.py path/to/{name}",
        "```",
        "",
        "The script takes every distinct text the article puts in quotation marks “…”",
        "and asks tifa whether an entry covers it: **exact** when the text is an",
        "entry's term or variant, **partly** when entries are found inside it. The",
        "others are **left out**, for the reason given in the hand-kept table",
        "`scripts/coverage-exclusions.toml`; a partly covered text may also say why",
        "the whole is not an entry. Whole sentences are shown as their first 10",
        "characters and “…”, so that this file does not copy the article.",
        "`tests/it/coverage.rs` checks this table against the lexicon.",
        "",
        "## Counts",
        "",
        f"- quoted formulations: {counts['total']}",
        f"- covered exactly: {counts['exact']}",
        f"- covered partly: {counts['partly']}",
        f"- left out: {counts['left']}",
        "",
        "## Table",
        "",
        "| quoted formulation | entry id(s) | status |",
        "| --- | --- | --- |",
    ]
    for text, ids, status in rows:
        lines.append(f"| {cell(text)} | {ids} | {cell(status)} |")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("article")
    ap.add_argument("--tifa", help="the tifa binary (default: target/release/tifa, then PATH)")
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--exclusions", default=DEFAULT_EXCLUSIONS)
    a = ap.parse_args()

    try:
        with open(a.article, encoding="utf-8-sig") as f:
            article = f.read()
    except OSError as e:
        print(f"coverage.py: cannot read {a.article}: {e}", file=sys.stderr)
        return 2
    tifa = find_tifa(a.tifa)
    quotes = extract_quotes(article)
    verdicts = judge(tifa, quotes)
    exclusions = read_exclusions(a.exclusions)
    # An exclusion names the text as COVERAGE.md shows it.
    reasons = {r["text"].strip(): r["reason"].strip() for r in exclusions}
    used: set[str] = set()

    rows: list[tuple[str, str, str]] = []
    counts = {"total": len(quotes), "exact": 0, "partly": 0, "left": 0}
    missing: list[str] = []
    for q, v in zip(quotes, verdicts):
        key = shown(q.text)
        reason = reasons.get(key)
        if reason:
            used.add(key)
        text = q.text if v.exact else shown(q.text)
        if v.exact:
            counts["exact"] += 1
            rows.append((text, v.exact, "exact"))
        elif v.inside:
            counts["partly"] += 1
            status = "partly" + (f"; whole left out: {reason}" if reason else "")
            rows.append((text, ", ".join(v.inside), status))
        elif reason:
            counts["left"] += 1
            rows.append((text, "—", f"left out: {reason}"))
        else:
            counts["left"] += 1
            rows.append((text, "—", "left out: ?"))
            missing.append(shown(q.text))
        if q.unclosed:
            print(f"note: the quote “{shown(q.text)} is not closed in the article; cut at the first clause mark", file=sys.stderr)
        for form, eid in v.wrong:
            print(f"warning: “{shown(q.text)}” contains the wrong form {form} of `{eid}`", file=sys.stderr)

    for r in exclusions:
        if r["text"].strip() not in used:
            print(f"warning: exclusion “{r['text']}” matches no quoted text", file=sys.stderr)
    if exact_excluded := [
        r[0] for r in rows if r[2] == "exact" and r[0] in reasons
    ]:
        for t in exact_excluded:
            print(f"warning: “{t}” is covered exactly but also excluded; drop the exclusion", file=sys.stderr)

    write_report(a.out, a.article, rows, counts)
    print(
        f"{os.path.relpath(a.out)}: {counts['total']} quoted, {counts['exact']} exact, "
        f"{counts['partly']} partly, {counts['left']} left out",
        file=sys.stderr,
    )
    if missing:
        print(
            f"{len(missing)} quoted text(s) neither covered nor excluded; add an entry "
            f"or an [[excluded]] with a reason to {os.path.relpath(a.exclusions)}:",
            file=sys.stderr,
        )
        for t in missing:
            print(f"  {t}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
