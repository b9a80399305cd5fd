#!/usr/bin/env bash
# tifa against ripgrep on the same corpus and the same terms (run by hand):
#
#   bench/compare.sh [SIZE_MB]        default 200; ROUNDS=10 timing rounds
#
# 1. builds a deterministic corpus from the project's samples under
#    target/bench/compare/: one big file and ~2,000 files in nested folders;
# 2. writes the default lexicon's forms as a pattern file
#    (`tifa lexicon export --format patterns`, longest first);
# 3. checks that `tifa count` and `rg -o -F -f` agree on the number of
#    outermost matches (rg runs on a copy normalized the way tifa
#    normalizes, since it cannot read through line breaks or full-width
#    forms, and its matches are filtered by tifa's ASCII boundary rule);
# 4. times `tifa count` and `rg -c -F -f`, one thread and all threads, on
#    the big file and on the folder, interleaved (bench/interleave.py: each
#    command once per round, so a noisy neighbour weighs on all of them
#    alike), and prints median MB/s, the tifa/rg time ratio and peak RSS;
#    start-up plus a look-up is timed with hyperfine;
# 5. for the folder's scaling, times what the machine itself gives: the
#    folder split in two halves, two one-thread tifa processes at once
#    (no shared memory, no work sharing), against one process on it all.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-200}
rounds=${ROUNDS:-10}
dir=target/bench/compare
mkdir -p "$dir"

for tool in rg hyperfine; do
  if ! command -v "$tool" >/dev/null; then
    sudo=$([ "$(id -u)" = 0 ] || echo sudo)
    $sudo apt-get install -y -qq "$([ "$tool" = rg ] && echo ripgrep || echo hyperfine)" >/dev/null
  fi
done
cargo build --release --quiet
tifa=$PWD/target/release/tifa
threads=$(nproc)

python3 bench/corpus.py "$dir" "$size_mb"
"$tifa" lexicon export --format patterns > "$dir/patterns.txt"

echo "== agreement"
tifa_total=$("$tifa" count --format json "$dir/big.txt" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
rg_total=$(python3 bench/corpus.py --rg-count "$dir")
echo "outermost matches: tifa $tifa_total, rg (normalized copy, boundary rule) $rg_total"
if [ "$tifa_total" != "$rg_total" ]; then
  echo "tifa and rg disagree" >&2
  exit 1
fi

# The folder's top-level folders in two halves, for the machine's own
# scaling (step 5).
mapfile -t tops < <(find "$dir/tree" -mindepth 1 -maxdepth 1 | sort)
half=$(( ${#tops[@]} / 2 ))
first=("${tops[@]:0:half}")
second=("${tops[@]:half}")

echo "== timing (interleaved: each command once per round, $rounds rounds, medians)"
json="$dir/timing.json"
python3 bench/interleave.py "$rounds" --json "$json" \
  "$tifa count -j 1 $dir/big.txt" \
  "rg -c -F -f $dir/patterns.txt -j 1 $dir/big.txt" \
  "$tifa count -j $threads $dir/big.txt" \
  "rg -c -F -f $dir/patterns.txt -j $threads $dir/big.txt" \
  "$tifa count -j 1 $dir/tree" \
  "rg -c -F -f $dir/patterns.txt -j 1 $dir/tree" \
  "$tifa count -j $threads $dir/tree" \
  "rg -c -F -f $dir/patterns.txt -j $threads $dir/tree" \
  "rg -o -F -f $dir/patterns.txt -j 1 $dir/big.txt" \
  "$tifa count -j 1 ${first[*]} > /dev/null & $tifa count -j 1 ${second[*]} > /dev/null; wait"

echo "== start-up and a look-up"
hyperfine -N --warmup 3 --runs 30 --export-json "$dir/lookup.json" "$tifa lookup 两队一室" > /dev/null || true

peak() { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1; }
python3 - "$json" "$dir" <<'PY' "$(peak "$tifa" count -j 1 "$dir/big.txt")" "$(peak rg -c -F -f "$dir/patterns.txt" -j 1 "$dir/big.txt")"
import json, os, sys
runs = json.load(open(sys.argv[1]))["results"]
d = sys.argv[2]
big = os.path.getsize(os.path.join(d, "big.txt")) / 1e6
tree = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(os.path.join(d, "tree")) for f in fs) / 1e6
rss_tifa, rss_rg = int(sys.argv[3]) // 1024, int(sys.argv[4]) // 1024
print(f"| corpus | threads | tifa s | rg s | tifa MB/s | rg MB/s | tifa/rg |")
print(f"|---|---|---|---|---|---|---|")
halves = runs.pop()
extra = runs.pop()
for i in range(0, len(runs), 2):
    t, r = runs[i], runs[i + 1]
    corpus = "big file" if "big.txt" in t["command"] else "folder"
    size = big if corpus == "big file" else tree
    threads = t["command"].split("-j ")[1].split()[0]
    print(f"| {corpus} ({size:.0f} MB) | {threads} | {t['median']:.2f} | {r['median']:.2f} | {size / t['median']:.0f} | {size / r['median']:.0f} | {t['median'] / r['median']:.2f} |")
print(f"\nrg -o (prints every match, as tifa count finds every match), one thread, big file: {extra['median']:.2f} s, {big / extra['median']:.0f} MB/s; tifa/rg -o: {runs[0]['median'] / extra['median']:.2f}")
# Scaling on the folder, from the medians and from each command's fastest
# run: on a shared machine a neighbour's load only ever adds time, and it
# weighs on a run that needs every core more than on a one-thread run.
for tool in ("tifa", "rg"):
    t = [r for r in runs if r["command"].endswith("/tree") and os.path.basename(r["command"].split()[0]) == tool]
    if len(t) == 2:
        print(f"{tool} on the folder, all threads vs one: {t[0]['median'] / t[1]['median']:.2f}x from the medians, {min(t[0]['times']) / min(t[1]['times']):.2f}x from the fastest of {len(t[0]['times'])} runs")
whole = next(r for r in runs if r["command"].endswith("/tree") and "tifa" in r["command"] and "-j 1" in r["command"])
print(f"the machine, two one-thread tifa processes at once on the folder's halves vs one on it all: {whole['median'] / halves['median']:.2f}x from the medians, {min(whole['times']) / min(halves['times']):.2f}x from the fastest")
print(f"\npeak RSS, one thread, big file: tifa {rss_tifa} MB, rg {rss_rg} MB")
lookup = json.load(open(os.path.join(d, "lookup.json")))["results"][0]
print(f"tifa lookup (start-up plus a look-up): {lookup['mean'] * 1000:.1f} ms ± {lookup['stddev'] * 1000:.1f}")
PY
