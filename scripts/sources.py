#!/usr/bin/env python3
"""Write lexicon/SOURCES.tsv: every public page the lexicon cites.

    python3 scripts/sources.py          # rewrite lexicon/SOURCES.tsv
    python3 scripts/sources.py --check  # exit 1 when it is out of date

A source of the form `出处｜URL｜日期` (see lexicon/README.md) is a page; the
file has one row per URL: the URL, the outlet, the date, how many entries cite
it and their ids. Seed-article sources and general-knowledge notes name no page
and are not listed. `tests/it/embedded.rs` checks that the file lists exactly
the pages the lexicon cites.
"""

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEXICON = ROOT / "lexicon"
OUT = LEXICON / "SOURCES.tsv"


def pages() -> dict:
    by_url: dict = {}
    for path in sorted(LEXICON.glob("*.toml")):
        for e in tomllib.loads(path.read_text(encoding="utf-8")).get("entry", []):
            for s in e.get("sources", []):
                parts = [p.strip() for p in s.split("｜")]
                url = next((p for p in parts if p.startswith(("http://", "https://"))), None)
                if url is None:
                    continue
                at = parts.index(url)
                outlet = "｜".join(parts[:at])
                date = parts[at + 1] if at + 1 < len(parts) else ""
                row = by_url.setdefault(url, {"outlet": outlet, "date": date, "ids": []})
                row["outlet"] = row["outlet"] or outlet
                row["date"] = row["date"] or date
                if e["id"] not in row["ids"]:
                    row["ids"].append(e["id"])
    return by_url


def render(by_url: dict) -> str:
    lines = ["url\toutlet\tdate\tentries\tids"]
    for url in sorted(by_url):
        r = by_url[url]
        clean = lambda s: s.replace("\t", " ").replace("\n", " ")  # noqa: E731
        lines.append(
            f"{clean(url)}\t{clean(r['outlet'])}\t{clean(r['date'])}\t{len(r['ids'])}\t{' '.join(r['ids'])}"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    text = render(pages())
    if "--check" in sys.argv[1:]:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print("lexicon/SOURCES.tsv is out of date: run python3 scripts/sources.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {text.count(chr(10)) - 1} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
