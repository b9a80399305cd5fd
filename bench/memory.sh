#!/usr/bin/env bash
# Peak memory of `tifa count` and `tifa scan` (lines and JSON) on a large file and on one very
# long line (run by hand, not in CI):
#
#   bench/memory.sh [SIZE_MB] [LINE_MB]      default 2048 and 300
#
# Builds the release binary, writes the files under target/bench/ from the
# project's own samples, and prints the peak resident set size (GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-2048}
line_mb=${2:-300}
dir=target/bench
mkdir -p "$dir"
cargo build --release --quiet
tifa=target/release/tifa

make_file() { # $1 path, $2 megabytes, $3 "lines" or "line"
  python3 - "$@" <<'PY'
import sys, glob
path, mb, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
text = "".join(open(p, encoding="utf-8").read() for p in sorted(glob.glob("samples/*.txt")) + sorted(glob.glob("samples/*.md")))
if kind == "line":
    text = text.replace("\r", "").replace("\n", " ")
block = text.encode("utf-8")
target = mb * 1024 * 1024
with open(path, "wb") as f:
    written = 0
    while written < target:
        f.write(block)
        written += len(block)
PY
}

big="$dir/big-${size_mb}m.txt"
long="$dir/line-${line_mb}m.txt"
[ -f "$big" ] || make_file "$big" "$size_mb" lines
[ -f "$long" ] || make_file "$long" "$line_mb" line

peak() { # prints "peak_kb seconds"
  /usr/bin/time -f "%M %e" "$@" 2>&1 >/dev/null | tail -1
}

printf '%-34s %10s %8s\n' "command" "peak RSS" "seconds"
for f in "$big" "$long"; do
  for cmd in "count" "count -j 1" "scan" "scan --format json"; do
    read -r kb secs < <(peak "$tifa" $cmd "$f")
    printf '%-34s %7d MB %8s\n' "tifa $cmd $(basename "$f")" $((kb / 1024)) "$secs"
  done
done
