#!/usr/bin/env bash
# Run every benchmark under bench/ (each bench/<name>/run.sh), results to bench/results/.
# Benchmarks are measurements, never tests: nothing here fails on a number.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/bench/results"
only=${BENCH:-}
for run in "$root"/bench/*/run.sh; do
    name=$(basename "$(dirname "$run")")
    if [ -n "$only" ] && [ "$only" != "$name" ]; then continue; fi
    echo "== bench/$name"
    bash "$run" "$root/build"
done
