#!/usr/bin/env python3
"""Say whether a page is reserved for the lexicon evaluation.

The evaluation pages (tests/eval/) are chosen only among reserved pages, and no
lexicon entry may be harvested from a reserved page. A page is reserved when the
MD5 of its normalized URL (lowercase, no scheme, no leading "www." or "m.", no
trailing "/") ends in a hex digit whose value is below 3 (3 in 16, about 19 %).
The rule was fixed before any harvesting, so the split cannot follow what the
lexicon happens to know.

    scripts/eval_reserved.py URL...      # prints "reserved" or "free" for each
"""

import hashlib
import re
import sys


def normalize(url: str) -> str:
    u = url.strip().lower()
    u = re.sub(r"^[a-z]+://", "", u)
    u = re.sub(r"^(www\.|m\.)", "", u)
    return u.rstrip("/")


def reserved(url: str) -> bool:
    digest = hashlib.md5(normalize(url).encode("utf-8")).hexdigest()
    return int(digest[-1], 16) < 3


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    for url in argv:
        print(f"{'reserved' if reserved(url) else 'free'}\t{url}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
