#!/usr/bin/env python3
"""Refresh the console examples of README.md after an output change.

Runs the golden tests with TRYCMD=overwrite (which writes the real output
of every ```console block), then shortens blocks longer than MAX lines to
their first lines, a `...` line (trycmd's "any lines") and the last line,
so the README stays readable while every example is still checked.

    python3 scripts/refresh-readme.py
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")
MAX, HEAD = 22, 18


def run_overwrite() -> None:
    env = dict(os.environ, TRYCMD="overwrite")
    subprocess.run(["cargo", "test", "-q", "--test", "it", "cli"], cwd=ROOT, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def elide(text: str) -> str:
    lines = text.split("\n")
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("```console"):
            out.append(line)
            i += 1
            continue
        j = i + 1
        while not lines[j].startswith("```"):
            j += 1
        block = lines[i + 1:j]
        head = [b for b in block if b.startswith(("$ ", "? "))]
        body = [b for b in block if not b.startswith(("$ ", "? "))]
        if "..." not in body and len(body) > MAX:
            last = [b for b in body if b.strip()][-1:]
            # Keep the final empty line: it stands for the output's last
            # line ending.
            body = body[:HEAD] + ["..."] + last + ([""] if body[-1] == "" else [])
        out += [line] + head + body + [lines[j]]
        i = j + 1
    return "\n".join(out)


def main() -> int:
    with open(README, encoding="utf-8") as f:
        original = f.read()
    # Let overwrite write whole outputs: drop the elisions first.
    with open(README, "w", encoding="utf-8") as f:
        f.write(original.replace("\n...\n", "\n"))
    run_overwrite()
    with open(README, encoding="utf-8") as f:
        full = f.read()
    with open(README, "w", encoding="utf-8") as f:
        f.write(elide(full))
    check = subprocess.run(["cargo", "test", "-q", "--test", "it", "cli"], cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print("README examples refreshed" if check.returncode == 0 else "README examples still fail")
    return check.returncode


if __name__ == "__main__":
    sys.exit(main())
