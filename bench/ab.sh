#!/usr/bin/env bash
# Interleaved A/B timing for a noisy machine (run by hand):
#
#   bench/ab.sh ROUNDS 'command A' 'command B' ...
#
# Each command runs once per round, in turn; the median wall and CPU times
# and the least CPU time are printed (see bench/interleave.py).
exec python3 "$(dirname "$0")/interleave.py" "$@"
