#!/usr/bin/env bash
# Interleaved A/B timing for a noisy machine (run by hand):
#
#   bench/ab.sh ROUNDS 'command A' 'command B' ...
#
# Runs the commands in turn, ROUNDS times, and prints each one's median CPU
# time (user + system, GNU time), its least CPU time (the run least disturbed
# by neighbours) and median wall time. Interleaving spreads
# a neighbour's load over every command, so their ratio stays meaningful
# when the absolute times drift by tens of percent from minute to minute.
set -euo pipefail
rounds=$1
shift
declare -a cpu wall
for _ in $(seq "$rounds"); do
  i=0
  for c in "$@"; do
    read -r u s e < <({ /usr/bin/time -f "%U %S %e" bash -c "$c > /dev/null"; } 2>&1 | tail -n 1)
    cpu[i]="${cpu[i]:-} $(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')"
    wall[i]="${wall[i]:-} $e"
    i=$((i + 1))
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
least() { tr ' ' '\n' | grep -v '^$' | sort -n | head -n 1; }
printf '%8s %8s %8s  %s\n' "cpu s" "min cpu" "wall s" "command"
i=0
for c in "$@"; do
  printf '%8s %8s %8s  %s\n' "$(echo "${cpu[i]}" | median)" "$(echo "${cpu[i]}" | least)" "$(echo "${wall[i]}" | median)" "$c"
  i=$((i + 1))
done
