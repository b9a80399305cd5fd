#!/usr/bin/env bash
# tifa against its peers on the same corpus and the same forms (run by hand):
#
#   bench/compare.sh [SIZE_MB]     default 200; ROUNDS=10 timing rounds,
#                                  CHECK_ROUNDS=3 for the slower `tifa check`
#   QUICK=1 bench/compare.sh       20 MB, 3 rounds (1 for check), for a look
#
# The peers (issue 23): Hyperscan (bench/hs_count.c, hs_compile_lit_multi,
# every overlapping match), the bare aho-corasick DFA (examples/ac_count.rs,
# MatchKind::Standard, find_overlapping_iter), `rg --count-matches -F -f`,
# `rg -c -F -f` (counts lines, and skips the rest of a line after its first
# match: not the same work) and `rg -n --column -o -F -f` (every match with
# its position: the peer of `tifa scan`).
#
# 1. builds a deterministic corpus from the project's samples under
#    target/bench/compare/ (compare-quick/ with QUICK=1): one big file and
#    2,000 files in nested folders;
# 2. for two lexicons, the embedded one (about 2,200 entries, 3,200 forms)
#    and a seed-sized one (the eight first files of lexicon/, about 250
#    entries and 300 forms, `related` lines dropped; see
#    seed_sized_lexicon_gets_the_table in src/scan/engine.rs), writes the
#    forms as a pattern file (`tifa lexicon export --format patterns`);
# 3. checks agreement on a copy of the big file normalized the way tifa
#    normalizes (bench/corpus.py; the peers cannot read through line breaks
#    or full-width forms): `tifa count --all-terms` against `rg -o -F -f`
#    on the outermost matches (rg's filtered by tifa's ASCII boundary
#    rule), and Hyperscan's and the DFA's count of every match against the
#    sum of tifa's per-entry counts, explained step by step where they
#    differ (bench/corpus.py --explain);
# 4. times, interleaved (bench/interleave.py: each command once per round,
#    so a noisy neighbour weighs on all of them alike), one thread on the
#    big file: tifa count, scan and check, Hyperscan, the DFA and the three
#    rg commands; tifa count, scan and check on two threads (THREADS=2) on
#    the big file and on the folder, and on one thread on the folder; and
#    prints a table per lexicon: median s, MB/s, time against Hyperscan and
#    against `rg -n --column -o`, two threads against one, peak RSS (the
#    largest of the runs, wait4's ru_maxrss, what GNU time's %M prints).
#    Every tool builds its automaton on every run and that time counts;
#    Hyperscan's compile and the DFA's build are also shown alone;
# 5. for the folder's scaling, times what the machine itself gives: the
#    folder split in two halves, two one-thread tifa processes at once (no
#    shared memory, no work sharing), against one process on it all; and
#    start-up plus a look-up with hyperfine.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${QUICK:-}" = 1 ]; then
  size_mb=${1:-20}
  rounds=${ROUNDS:-3}
  check_rounds=${CHECK_ROUNDS:-1}
  dir=target/bench/compare-quick
else
  size_mb=${1:-200}
  rounds=${ROUNDS:-10}
  check_rounds=${CHECK_ROUNDS:-3}
  dir=target/bench/compare
fi
threads=${THREADS:-2}
mkdir -p "$dir"

sudo=$([ "$(id -u)" = 0 ] || echo sudo)
for pair in rg:ripgrep hyperfine:hyperfine /usr/bin/time:time; do
  tool=${pair%%:*}
  if ! command -v "$tool" >/dev/null; then
    $sudo apt-get install -y -qq "${pair#*:}" >/dev/null
  fi
done
if [ ! -f /usr/include/hs/hs.h ]; then
  $sudo apt-get install -y -qq libhyperscan-dev >/dev/null 2>&1 || true
fi
cargo build --release --quiet
cargo build --release --quiet --example ac_count
tifa=$PWD/target/release/tifa
ac=$PWD/target/release/examples/ac_count
hs=""
if [ -f /usr/include/hs/hs.h ] && cc -O2 -o "$dir/hs_count" bench/hs_count.c -lhs 2>"$dir/hs_count.build.log"; then
  hs=$PWD/$dir/hs_count
else
  echo "(no Hyperscan: libhyperscan-dev is missing or bench/hs_count.c did not build; the Hyperscan peer is skipped)"
fi

python3 bench/corpus.py "$dir" "$size_mb"
for n in campaigns core mechanisms platforms slogans team tech vocabulary; do
  cat "lexicon/$n.toml"
  echo
done | grep -v '^related = ' > "$dir/seed.toml"

# The folder's top-level folders in two halves, for the machine's own
# scaling (step 5).
mapfile -t tops < <(find "$dir/tree" -mindepth 1 -maxdepth 1 | sort)
half=$(( ${#tops[@]} / 2 ))
first=("${tops[@]:0:half}")
second=("${tops[@]:half}")

sum_counts='import json,sys; j=json.load(sys.stdin); print(sum(e["count"] for e in j["entries"]))'
total='import json,sys; print(json.load(sys.stdin)["total"])'

for lex in embedded seed; do
  if [ "$lex" = embedded ]; then
    t="$tifa"
  else
    t="$tifa --no-default-lexicon --lexicon $dir/seed.toml"
  fi
  $t lexicon export --format patterns > "$dir/patterns.txt"
  $t lexicon export --format json > "$dir/lexicon-$lex.json"
  cp "$dir/patterns.txt" "$dir/patterns-$lex.txt"
  pats=$dir/patterns-$lex.txt
  entries=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["entries"]))' "$dir/lexicon-$lex.json")
  echo "== $lex lexicon: $entries entries, $(wc -l < "$pats") forms"

  echo "-- agreement (on the normalized copy of big.txt for the peers)"
  tifa_total=$($t count --all-terms --format json "$dir/big.txt" | python3 -c "$total")
  rg_total=$(python3 bench/corpus.py --rg-count "$dir")
  echo "outermost matches: tifa count --all-terms $tifa_total, rg -o (normalized copy, boundary rule) $rg_total"
  if [ "$tifa_total" != "$rg_total" ]; then
    echo "tifa and rg disagree" >&2
    exit 1
  fi
  tifa_all=$($t count --all-terms --format json "$dir/big.txt" | python3 -c "$sum_counts")
  tifa_sum=$($t count --format json "$dir/big.txt" | python3 -c "$sum_counts")
  ac_n=$("$ac" "$dir/patterns.normalized.txt" "$dir/big.normalized.txt" 2>/dev/null)
  echo "every match: aho-corasick DFA $ac_n; sum of tifa's per-entry counts: $tifa_all with --all-terms, $tifa_sum without (entries of scope general count only inside quotation marks, entries with a context rule only in their context)"
  if [ -n "$hs" ]; then
    hs_n=$("$hs" "$dir/patterns.normalized.txt" "$dir/big.normalized.txt" 2>/dev/null)
    echo "every match: Hyperscan $hs_n"
    if [ "$hs_n" != "$ac_n" ]; then
      echo "Hyperscan and the aho-corasick DFA disagree: a bug in a peer" >&2
      exit 1
    fi
    if [ "$hs_n" != "$tifa_all" ]; then
      echo "why every match is not tifa's count:"
      python3 bench/corpus.py --explain "$dir" "$hs" "$dir/lexicon-$lex.json" "$tifa_all"
    fi
  fi

  labels=()
  cmds=()
  add() { labels+=("$1"); cmds+=("$2"); }
  big=$dir/big.txt
  add "tifa count|big|1" "$t count -j 1 $big"
  add "tifa scan|big|1" "$t scan -j 1 $big"
  [ -n "$hs" ] && add "Hyperscan|big|1" "$hs $pats $big 2>>$dir/hs-$lex.log"
  add "aho-corasick DFA|big|1" "$ac $pats $big 2>>$dir/ac-$lex.log"
  add "rg --count-matches|big|1" "rg --count-matches -F -f $pats -j 1 $big"
  add "rg -c|big|1" "rg -c -F -f $pats -j 1 $big"
  add "rg -n --column -o|big|1" "rg -n --column -o -F -f $pats -j 1 $big"
  add "tifa count|big|$threads" "$t count -j $threads $big"
  add "tifa scan|big|$threads" "$t scan -j $threads $big"
  add "tifa count|folder|1" "$t count -j 1 $dir/tree"
  add "tifa scan|folder|1" "$t scan -j 1 $dir/tree"
  add "tifa count|folder|$threads" "$t count -j $threads $dir/tree"
  add "tifa scan|folder|$threads" "$t scan -j $threads $dir/tree"
  if [ "$lex" = embedded ]; then
    add "two tifa count -j1 processes, the folder's halves|folder|2" \
      "$t count -j 1 ${first[*]} > /dev/null & $t count -j 1 ${second[*]} > /dev/null; wait"
  fi
  : > "$dir/hs-$lex.log"
  : > "$dir/ac-$lex.log"
  printf '%s\n' "${labels[@]}" > "$dir/labels-$lex.txt"
  echo "-- timing (interleaved: each command once per round, $rounds rounds, medians)"
  python3 bench/interleave.py "$rounds" --json "$dir/timing-$lex.json" "${cmds[@]}"

  labels=()
  cmds=()
  add "tifa check|big|1" "$t check -j 1 $big"
  add "tifa check|big|$threads" "$t check -j $threads $big"
  add "tifa check|folder|1" "$t check -j 1 $dir/tree"
  add "tifa check|folder|$threads" "$t check -j $threads $dir/tree"
  printf '%s\n' "${labels[@]}" > "$dir/labels-$lex-check.txt"
  echo "-- timing tifa check (interleaved, $check_rounds rounds, medians)"
  python3 bench/interleave.py "$check_rounds" --json "$dir/timing-$lex-check.json" "${cmds[@]}"
done

echo "== start-up and a look-up"
hyperfine -N --warmup 3 --runs 30 --export-json "$dir/lookup.json" "$tifa lookup 两队一室" > /dev/null || true

echo
python3 bench/compare_table.py "$dir"
